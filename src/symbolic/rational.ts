/**
 * Exact rational numbers over BigInt.
 *
 * Constants in loss expressions are kept exact: `0.1` is 1/10, and a
 * simplification that produces 1/3 keeps 1/3 rather than 0.333…, which is the
 * failure we measured in mathjs.rationalize.
 */
export interface Rat {
  /** Numerator; carries the sign. */
  readonly n: bigint;
  /** Denominator; always positive, coprime to `n`. */
  readonly d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Builds a normalised rational n/d. Throws on a zero denominator (a programming error, not user input). */
export function rat(n: bigint | number, d: bigint | number = 1n): Rat {
  let nn = typeof n === 'number' ? BigInt(n) : n;
  let dd = typeof d === 'number' ? BigInt(d) : d;
  if (dd === 0n) throw new RangeError('rational with zero denominator');
  if (dd < 0n) {
    nn = -nn;
    dd = -dd;
  }
  const g = gcd(nn, dd);
  return g > 1n ? { n: nn / g, d: dd / g } : { n: nn, d: dd };
}

export const ZERO = rat(0n);
export const ONE = rat(1n);

export const add = (a: Rat, b: Rat): Rat => rat(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Rat, b: Rat): Rat => rat(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Rat, b: Rat): Rat => rat(a.n * b.n, a.d * b.d);
export const neg = (a: Rat): Rat => ({ n: -a.n, d: a.d });
export function div(a: Rat, b: Rat): Rat {
  if (b.n === 0n) throw new RangeError('division of rationals by zero');
  return rat(a.n * b.d, a.d * b.n);
}
export const isZero = (a: Rat): boolean => a.n === 0n;
export const isOne = (a: Rat): boolean => a.n === 1n && a.d === 1n;
export const isInteger = (a: Rat): boolean => a.d === 1n;
export const equals = (a: Rat, b: Rat): boolean => a.n === b.n && a.d === b.d;
export function compare(a: Rat, b: Rat): number {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** Integer power, exponent may be negative. */
export function pow(a: Rat, k: number): Rat {
  if (k < 0) return pow(div(ONE, a), -k);
  let n = 1n;
  let d = 1n;
  for (let i = 0; i < k; i++) {
    n *= a.n;
    d *= a.d;
  }
  return rat(n, d);
}

/** Float64 value, accurate even when n and d exceed 2^53. */
export function toNumber(a: Rat): number {
  const limit = 2n ** 53n;
  const an = a.n < 0n ? -a.n : a.n;
  if (an < limit && a.d < limit) return Number(a.n) / Number(a.d);
  // Keep ~64 significant bits of the quotient before converting.
  const shift = a.d.toString(2).length - an.toString(2).length + 64;
  if (shift <= 0) return Number(a.n / a.d);
  return Number((a.n << BigInt(shift)) / a.d) / 2 ** shift;
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$|^([+-]?)\.(\d+)(?:[eE]([+-]?\d+))?$/;

/** Parses a finite decimal literal (`3`, `-0.25`, `1e-3`, `.5`) exactly; returns undefined if it is not one. */
export function parseDecimal(text: string): Rat | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const sign = (m[1] ?? m[5]) === '-' ? -1n : 1n;
  const intPart = m[2] ?? '0';
  const frac = m[3] ?? m[6] ?? '';
  const expText = m[4] ?? m[7];
  if (expText !== undefined && Math.abs(Number(expText)) > 400) return undefined;
  const exp = expText === undefined ? 0 : Number(expText);
  let n = BigInt(intPart + frac) * sign;
  let d = 10n ** BigInt(frac.length);
  if (exp > 0) n *= 10n ** BigInt(exp);
  else if (exp < 0) d *= 10n ** BigInt(-exp);
  return rat(n, d);
}

/**
 * The shortest exact decimal for `a` when its denominator has only factors 2
 * and 5 (a terminating decimal); undefined otherwise.
 */
export function toDecimal(a: Rat): string | undefined {
  if (a.d === 1n) return a.n.toString();
  let d = a.d;
  let twos = 0;
  let fives = 0;
  while (d % 2n === 0n) {
    d /= 2n;
    twos++;
  }
  while (d % 5n === 0n) {
    d /= 5n;
    fives++;
  }
  if (d !== 1n) return undefined;
  const digits = Math.max(twos, fives);
  const scaled = (a.n * 10n ** BigInt(digits)) / a.d;
  const neg = scaled < 0n;
  const s = (neg ? -scaled : scaled).toString().padStart(digits + 1, '0');
  const body = `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`;
  return (neg ? '-' : '') + body;
}

export function toString(a: Rat): string {
  return toDecimal(a) ?? `${a.n}/${a.d}`;
}
