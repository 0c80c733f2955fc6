/**
 * Float32 tensor forms of the S-functions' tails, shared by their registry
 * entries' tfjs builders and tfjs code templates (one definition for both).
 * tfjs has no erfc, and (1 + erf z)/2 cancels to 0 in float32 for z < −3.
 */
import type { Tf, TfTensor } from './op-spec.js';

/**
 * (1 + 2x)·erfcx(x) on x ≥ 0 as a polynomial in t = (x − 3.75)/(x + 3.75),
 * float32, from scripts/erfcx-chebyshev.py (within 1e-7 relative).
 */
const ERFCX_F32: readonly number[] = [
  1.2375125885009766, -0.1402405947446823, 0.003585495287552476, 0.08227677643299103, -0.10880522429943085,
  0.09230393916368484, -0.05868544057011604, 0.02836410515010357, -0.009770086966454983, 0.0017511575715616345,
  0.00033016744419001043, -0.0002843130787368864, 2.2046719095669687e-5, 1.8521946913097054e-5,
];
const K = 3.75;

/**
 * A constant for a product carried as a float32 pair: its 12-bit head (a
 * head times a 12-bit half of a float32 is exact), the rest of its true
 * value, and its float32 rounding (from 50-digit arithmetic).
 */
interface PairConstant {
  readonly hi: number;
  readonly lo: number;
  readonly f32: number;
}
/** −√π/4: Serf's tail is erfc(−√π·m/4)/2. */
const NEG_SQRT_PI_OVER_4: PairConstant = { hi: -0.443115234375, lo: 1.7716486127028475e-6, f32: -0.4431134760379791 };
/** π/4: Sgdf's tail is (2/π)·atan(e^(π·m/4)). */
const PI_OVER_4: PairConstant = { hi: 0.785400390625, lo: -2.2272274691204075e-6, f32: 0.7853981852531433 };
const TWO_OVER_SQRT_PI = 1.1283791670955126;
/** Below these the tails are 0 in float32; clamping there keeps Veltkamp's split and the square finite. */
const SERF_FLOOR = -100;
const SGDF_FLOOR = -200;

/*
 * Why pairs: the tails are e^(−(π/16)m²) and e^(πm/4), whose exponents grow
 * with m, so rounding the argument alone costs up to ~90 float32 ulps at the
 * edge of the normal range. Each argument is computed as v + dv (dv the
 * rounding, exact by Veltkamp's split against a 12-bit head of the constant)
 * and the square in erfc's e^(−w²) likewise; the functions then take dv to
 * first order. The tensor builders and the tfjs source below are the same
 * arithmetic, written once each.
 */

/**
 * m ≤ 0 raised to `floor` where below it. clipByValue drops NaN on wasm (and tfjs cannot
 * differentiate a comparison); adding m − m (0, or NaN) brings NaN back.
 */
function floorTensor(tf: Tf, m: TfTensor, floor: number): TfTensor {
  return tf.add(tf.clipByValue(m, floor, 0), tf.sub(m, m));
}
/** The 12-bit high half of float32 values (Veltkamp). */
function highTensor(tf: Tf, x: TfTensor): TfTensor {
  const t = tf.mul(x, 4097);
  return tf.sub(t, tf.sub(t, x));
}
/** x·c as [v, dv]: v the float32 product, dv what it lost. */
function productTensor(tf: Tf, x: TfTensor, c: PairConstant): [TfTensor, TfTensor] {
  const v = tf.mul(x, c.f32);
  const h = highTensor(tf, x);
  return [v, tf.add(tf.add(tf.sub(tf.mul(h, c.hi), v), tf.mul(tf.sub(x, h), c.hi)), tf.mul(x, c.lo))];
}
/** erfc(w + dw) for w ≥ 0: e^(−w²)·erfcx(w) − (2/√π)e^(−w²)·dw, with w² as a pair. */
function erfcPairTensor(tf: Tf, w: TfTensor, dw: TfTensor): TfTensor {
  const t = tf.div(tf.sub(w, K), tf.add(w, K));
  let p: TfTensor = tf.scalar(ERFCX_F32[ERFCX_F32.length - 1]!);
  for (let j = ERFCX_F32.length - 2; j >= 0; j--) p = tf.add(tf.mul(p, t), ERFCX_F32[j]!);
  const sq = tf.square(w);
  const h = highTensor(tf, w);
  const l = tf.sub(w, h);
  const sqErr = tf.add(tf.add(tf.sub(tf.mul(h, h), sq), tf.mul(tf.mul(h, l), 2)), tf.mul(l, l));
  const e = tf.mul(tf.exp(tf.neg(sq)), tf.sub(1, sqErr));
  return tf.sub(tf.div(tf.mul(e, p), tf.add(tf.mul(w, 2), 1)), tf.mul(tf.mul(e, dw), TWO_OVER_SQRT_PI));
}

/** Serf's left tail at m ≤ 0: erfc(−√π·m/4)/2. */
export function serfTailTensor(tf: Tf, m: TfTensor): TfTensor {
  const [w, dw] = productTensor(tf, floorTensor(tf, m, SERF_FLOOR), NEG_SQRT_PI_OVER_4);
  return tf.mul(erfcPairTensor(tf, w, dw), 0.5);
}

/** Sgdf's left tail at m ≤ 0: (2/π)·atan(e^(πm/4)). */
export function sgdfTailTensor(tf: Tf, m: TfTensor): TfTensor {
  const [y, dy] = productTensor(tf, floorTensor(tf, m, SGDF_FLOOR), PI_OVER_4);
  return tf.mul(tf.atan(tf.mul(tf.exp(y), tf.add(1, dy))), 2 / Math.PI);
}

// The same as tfjs source (`tf` in scope), over the name of a tensor.
const floorCode = (m: string, floor: number): string => `tf.add(tf.clipByValue(${m}, ${floor}, 0), tf.sub(${m}, ${m}))`;
const highCode = (x: string): string => `((t: tf.Tensor) => tf.sub(t, tf.sub(t, ${x})))(tf.mul(${x}, 4097))`;
/** Source that calls `body(v, dv)` with the pair of x·c. */
const productCode = (x: string, c: PairConstant, body: (v: string, dv: string) => string): string =>
  `((x: tf.Tensor) => ((v: tf.Tensor, h: tf.Tensor) => ((dv: tf.Tensor) => ${body('v', 'dv')})(tf.add(tf.add(tf.sub(tf.mul(h, ${c.hi}), v), tf.mul(tf.sub(x, h), ${c.hi})), tf.mul(x, ${c.lo}))))(tf.mul(x, ${c.f32}), ${highCode('x')}))(${x})`;

function erfcPairCode(w: string, dw: string): string {
  let p = String(ERFCX_F32[ERFCX_F32.length - 1]);
  for (let j = ERFCX_F32.length - 2; j >= 0; j--) p = `tf.add(tf.mul(${p}, t), ${ERFCX_F32[j]})`;
  const e = `((sq: tf.Tensor, h: tf.Tensor) => ((l: tf.Tensor) => tf.mul(tf.exp(tf.neg(sq)), tf.sub(1, tf.add(tf.add(tf.sub(tf.mul(h, h), sq), tf.mul(tf.mul(h, l), 2)), tf.mul(l, l)))))(tf.sub(${w}, h)))(tf.square(${w}), ${highCode(w)})`;
  return `((t: tf.Tensor, e: tf.Tensor) => tf.sub(tf.div(tf.mul(e, ${p}), tf.add(tf.mul(${w}, 2), 1)), tf.mul(tf.mul(e, ${dw}), ${TWO_OVER_SQRT_PI})))(tf.div(tf.sub(${w}, ${K}), tf.add(${w}, ${K})), ${e})`;
}

/** `serfTailTensor` as tfjs source over the name of m. */
export function serfTailTfjsCode(m: string): string {
  return `(${productCode(floorCode(m, SERF_FLOOR), NEG_SQRT_PI_OVER_4, (v, dv) => `tf.mul(${erfcPairCode(v, dv)}, 0.5)`)})`;
}

/** `sgdfTailTensor` as tfjs source over the name of m. */
export function sgdfTailTfjsCode(m: string): string {
  return `(${productCode(floorCode(m, SGDF_FLOOR), PI_OVER_4, (v, dv) => `tf.mul(tf.atan(tf.mul(tf.exp(${v}), tf.add(1, ${dv}))), ${2 / Math.PI})`)})`;
}

/**
 * An S-curve f with f(−a) = 1 − f(a), from its left tail: tail(−|a|) for
 * a ≤ 0, 1 − tail(−|a|) for a > 0. The tail never sees a positive argument
 * (no overflow). The sides are picked with p = step(a) ∈ {0, 1} (whose
 * gradient is 0) as m = a − 2pa and s + p(1 − 2s): tfjs cannot differentiate
 * through a comparison, and at 0 the gradient is the tail's (abs's would be 0).
 */
export function mirroredTensor(tf: Tf, a: TfTensor, tail: (m: TfTensor) => TfTensor): TfTensor {
  const p = tf.step(a);
  const s = tail(tf.sub(a, tf.mul(tf.mul(p, 2), a)));
  return tf.add(s, tf.mul(p, tf.sub(1, tf.mul(s, 2))));
}

/** The same as tfjs source; `tail` maps the name of −|a| to source. */
export function mirroredTfjsCode(a: string, tail: (m: string) => string): string {
  return `((p: tf.Tensor) => ((s: tf.Tensor) => tf.add(s, tf.mul(p, tf.sub(1, tf.mul(s, 2)))))(((m: tf.Tensor) => ${tail('m')})(tf.sub(${a}, tf.mul(tf.mul(p, 2), ${a})))))(tf.step(${a}))`;
}

/** The same as PyTorch source (`torch`, `math` in scope). */
export function mirroredPythonCode(a: string, tail: (m: string) => string): string {
  return `(lambda p, s: torch.where(p, 1 - s, s))(${a} > 0, (lambda m: ${tail('m')})(torch.where(${a} > 0, -${a}, ${a})))`;
}
