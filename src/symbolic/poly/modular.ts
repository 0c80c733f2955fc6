/**
 * Rational functions evaluated modulo primes: a fingerprint of the rational
 * normal form computed without computing it.
 *
 * Two trees have the same rational normal form exactly when they are the
 * same rational function of their inputs and canonical atoms, and two
 * different rational functions of degree d agree at a random point modulo a
 * prime p with probability at most 2d/p (Schwartz–Zippel). So the values at
 * fixed pseudo-random points modulo four primes near 2²⁶ (about 10⁻³⁰ for a
 * chance agreement of the forms the search meets) name the normal form, at
 * the cost of one multiply–modulo per node instead of polynomial arithmetic
 * and gcds: the search fingerprints every candidate, most never reduced.
 *
 * The values are context-free (an atom's value comes from its canonical text,
 * not from its place in a variable list), so they are cached per interned
 * subtree across expressions.
 */
import { toPrefix } from '../../render/prefix.js';
import type { Domain } from '../domains.js';
import type { Node } from '../node.js';
import type { Rat } from '../rational.js';
import { ALL_OPS } from '../registry.js';
import { canonicalAtom, type RationalForm } from './rational-form.js';

/** Primes below 2²⁶: products of two residues stay below 2⁵², exact in a double. */
const PRIMES = [67108859, 67108837, 67108819, 67108777] as const;
const BIG_PRIMES = PRIMES.map(BigInt);
const LANES = PRIMES.length;

/** One residue per prime; undefined where a divisor vanished modulo some prime. */
export type Residues = readonly number[];

const RATIONAL: ReadonlySet<string> = new Set(ALL_OPS.filter((o) => o.properties.rational).map((o) => o.name));
const caches: Record<Domain, WeakMap<Node, Residues | null>> = { multi: new WeakMap(), binary: new WeakMap(), reg: new WeakMap() };

/** 32 well-mixed bits of a string, seeded (FNV-1a, then a murmur finaliser). */
function mix32(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let k = 0; k < text.length; k++) h = Math.imul(h ^ text.charCodeAt(k), 16777619);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The point's coordinate for a variable named by `text` (an input's name or an atom's canonical prefix). */
function coordinate(text: string): Residues {
  return PRIMES.map((p, i) => mix32(text, i * 0x9e3779b9) % p);
}

function inverse(a: number, p: number): number | undefined {
  if (a === 0) return undefined;
  let [r0, r1] = [p, a];
  let [t0, t1] = [0, 1];
  while (r1 !== 0) {
    const q = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  return t0 < 0 ? t0 + p : t0;
}

function ratResidues(v: Rat): Residues | undefined {
  const out: number[] = [];
  for (let i = 0; i < LANES; i++) {
    const p = PRIMES[i]!;
    let n = Number(v.n % BIG_PRIMES[i]!);
    if (n < 0) n += p;
    let d = Number(v.d % BIG_PRIMES[i]!);
    if (d < 0) d += p;
    const inv = inverse(d, p);
    if (inv === undefined) return undefined;
    out.push((n * inv) % p);
  }
  return out;
}

/**
 * The residues of `tree`'s rational function (atoms as canonical variables),
 * or undefined when a divisor is zero at the point modulo some prime: either
 * identically zero (no normal form) or, rarely, a chance root; the caller
 * then asks the exact form.
 */
export function residuesOf(tree: Node, domain: Domain): Residues | undefined {
  const cache = caches[domain];
  const go = (n: Node): Residues | null => {
    const hit = cache.get(n);
    if (hit !== undefined) return hit;
    let out: Residues | null;
    if (n.kind === 'const') out = ratResidues(n.value) ?? null;
    else if (n.kind === 'input') out = coordinate(n.name);
    else if (n.kind === 'pattern') throw new Error(`pattern variable ?${n.name} has no rational form`);
    else if (n.kind === 'op' && RATIONAL.has(n.op)) {
      const a = go(n.args[0]!);
      const b = n.args[1] ? go(n.args[1]) : a;
      out = a && b ? combine(n.op, a, b) : null;
    } else {
      const atom = canonicalAtom(n, domain);
      out = atom.kind === 'const' ? (ratResidues(atom.value) ?? null) : coordinate(toPrefix(atom));
    }
    cache.set(n, out);
    return out;
  };
  return go(tree) ?? undefined;
}

function combine(op: string, a: Residues, b: Residues): Residues | null {
  const out = new Array<number>(LANES);
  for (let i = 0; i < LANES; i++) {
    const p = PRIMES[i]!;
    const x = a[i]!;
    const y = b[i]!;
    switch (op) {
      case 'Add':
        out[i] = (x + y) % p;
        break;
      case 'Sub':
        out[i] = (x - y + p) % p;
        break;
      case 'Neg':
        out[i] = (p - x) % p;
        break;
      case 'Mul':
        out[i] = (x * y) % p;
        break;
      default: {
        const inv = inverse(y, p);
        if (inv === undefined) return null;
        out[i] = (x * inv) % p;
      }
    }
  }
  return out;
}

/** The residues of a reduced form at the same point (undefined if its denominator vanishes there). */
export function formResidues(f: RationalForm): Residues | undefined {
  const coords = f.variables.map((v) => (v.tree.kind === 'input' ? coordinate(v.tree.name) : coordinate(toPrefix(v.tree))));
  const out: number[] = [];
  for (let i = 0; i < LANES; i++) {
    const p = PRIMES[i]!;
    const bp = BIG_PRIMES[i]!;
    const value = (terms: RationalForm['numerator']['terms']): number => {
      let s = 0;
      for (const t of terms) {
        let c = Number(t.c % bp);
        if (c < 0) c += p;
        t.m.forEach((e, k) => {
          for (let j = 0; j < e; j++) c = (c * coords[k]![i]!) % p;
        });
        s = (s + c) % p;
      }
      return s;
    };
    const inv = inverse(value(f.denominator.terms), p);
    if (inv === undefined) return undefined;
    out.push((value(f.numerator.terms) * inv) % p);
  }
  return out;
}
