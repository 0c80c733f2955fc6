/**
 * The gradient of a 2-D matMul without transposed operands on wasm.
 *
 * tfjs's stock gradient of BatchMatMul multiplies with `transposeA` or
 * `transposeB` set; the wasm backend of tfjs 4.22 runs those through a
 * generic loop about ten times slower than its XNNPACK path (measured at the
 * shapes of the Faster R-CNN box head). Here the operand is transposed
 * explicitly first (one cheap Transpose) and the product runs untransposed.
 * Other backends, and ranks other than 2, keep the stock gradient.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { Tf } from '../symbolic/op-spec.js';

type T2 = tfc.Tensor2D;
const installed = new WeakSet<object>();

/** Replaces the gradient of BatchMatMul (see the file comment). Idempotent; `setupBackend` calls it. */
export function installMatMulGradient(tf: Tf): void {
  if (installed.has(tf.registerGradient)) return;
  const stock = tf.getGradient('BatchMatMul');
  if (!stock) return;
  installed.add(tf.registerGradient);
  tf.registerGradient({
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved as [T2, T2];
      if (tf.getBackend() !== 'wasm' || a.rank !== 2 || b.rank !== 2) return stock.gradFunc(dy, saved, attrs);
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const d = dy as T2;
      const t = (x: T2): T2 => tf.transpose(x) as T2;
      const mm = (x: T2, y: T2): T2 => tf.matMul(x, y);
      if (!transposeA && !transposeB) return { a: () => mm(d, t(b)), b: () => mm(t(a), d) };
      if (!transposeA && transposeB) return { a: () => mm(d, b), b: () => mm(t(d), a) };
      if (transposeA && !transposeB) return { a: () => mm(b, t(d)), b: () => mm(a, d) };
      return { a: () => mm(t(b), t(d)), b: () => mm(t(d), t(a)) };
    },
  });
}
