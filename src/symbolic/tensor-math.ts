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

/** erfc(x) for x ≥ 0: e^(−x²)·erfcx(x), without the cancellation of 1 − erf(x). */
export function erfcTensor(tf: Tf, x: TfTensor): TfTensor {
  const t = tf.div(tf.sub(x, K), tf.add(x, K));
  let p: TfTensor = tf.scalar(ERFCX_F32[ERFCX_F32.length - 1]!);
  for (let j = ERFCX_F32.length - 2; j >= 0; j--) p = tf.add(tf.mul(p, t), ERFCX_F32[j]!);
  return tf.div(tf.mul(tf.exp(tf.neg(tf.square(x))), p), tf.add(tf.mul(x, 2), 1));
}

/** The same as tfjs source over an expression `x` (a variable name: it is repeated). */
export function erfcTfjsCode(x: string): string {
  let p = String(ERFCX_F32[ERFCX_F32.length - 1]);
  for (let j = ERFCX_F32.length - 2; j >= 0; j--) p = `tf.add(tf.mul(${p}, t), ${ERFCX_F32[j]})`;
  return `((t: tf.Tensor) => tf.div(tf.mul(tf.exp(tf.neg(tf.square(${x}))), ${p}), tf.add(tf.mul(${x}, 2), 1)))(tf.div(tf.sub(${x}, ${K}), tf.add(${x}, ${K})))`;
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
