/**
 * A short tour of the tensor path for `npm start`: the backend `auto` picks
 * and why, the published losses as training code (generic tfjs ops and the
 * fused kernel agree), and a small conv net trained on that backend.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { getTf, setupBackend } from './backend.js';
import { conv2d } from './conv.js';
import { makeClsLoss, makeRegLoss, type KernelChoice } from './losses.js';

/**
 * Runs the tour, writing one line at a time to `log`.
 *
 * @example
 * await tensorDemo((line) => console.log(line));
 */
export async function tensorDemo(log: (line: string) => void): Promise<void> {
  const { name, reason } = await setupBackend('auto');
  log(`backend: ${name} (${reason})`);
  const tf = getTf();
  const t0 = performance.now();
  const n = 512;
  const c = 20;
  tf.tidy(() => {
    const logits = tf.randomNormal([n, c + 1], 0, 2, 'float32', 1) as tfc.Tensor2D;
    const labels = tf.tensor1d(Int32Array.from({ length: n }, (_, i) => (i * 7) % (c + 1)), 'int32');
    const ious = tf.randomUniform([n], 0, 1, 'float32', 2) as tfc.Tensor1D;
    for (const [spec, domain] of [['autoloss-a-cls', 'multi'], ['autoloss-b-cls', 'binary']] as const) {
      const x = domain === 'multi' ? logits : (tf.slice(logits, [0, 0], [n, c]) as tfc.Tensor2D);
      const values = (['tfjs', 'fused'] as KernelChoice[]).map((kernel) => {
        const loss = makeClsLoss(spec, domain, { kernel });
        const { value, grad } = tf.valueAndGrad((z: tfc.Tensor) => loss({ logits: z as tfc.Tensor2D, labels, ious, avgFactor: n }))(x);
        return [value.dataSync()[0]!, tf.norm(grad).dataSync()[0]!] as const;
      });
      log(`${spec} on ${n}×${x.shape[1]} logits: loss ${values[0]![0].toFixed(6)} (tfjs ops) = ${values[1]![0].toFixed(6)} (fused kernel); |∇| ${values[0]![1].toFixed(6)} = ${values[1]![1].toFixed(6)}`);
    }
    const pred = tf.tensor2d([[0, 0, 10, 10], [5, 5, 15, 20]]);
    const target = tf.tensor2d([[2, 1, 12, 11], [5, 5, 15, 20]]);
    for (const spec of ['iou', 'giou', 'autoloss-a-reg', 'autoloss-b-reg']) {
      log(`${spec} on two boxes (one exact): ${makeRegLoss(spec)({ pred, target }).dataSync()[0]!.toFixed(6)}`);
    }
  });
  // A 2-layer conv net fits a fixed random target: the loss must fall.
  const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 3) as tfc.Tensor4D;
  const target = tf.tidy(() => tf.tanh(tf.conv2d(x, tf.randomNormal([3, 3, 3, 4], 0, 0.5, 'float32', 4) as tfc.Tensor4D, 2, 'same')));
  const w1 = tf.variable(tf.randomNormal([3, 3, 3, 16], 0, 0.3, 'float32', 5));
  const w2 = tf.variable(tf.randomNormal([3, 3, 16, 4], 0, 0.3, 'float32', 6));
  const opt = tf.train.sgd(0.05);
  const losses: number[] = [];
  for (let step = 0; step < 20; step++) {
    const loss = opt.minimize(() => {
      const h = tf.relu(conv2d(x, w1 as unknown as tfc.Tensor4D, 1, 'same'));
      return tf.mean(tf.square(tf.sub(conv2d(h, w2 as unknown as tfc.Tensor4D, 2, 'same'), target))) as tfc.Scalar;
    }, true)!;
    losses.push(loss.dataSync()[0]!);
    loss.dispose();
  }
  log(`conv net on ${name}, 20 SGD steps: loss ${losses[0]!.toFixed(4)} → ${losses[19]!.toFixed(4)}`);
  tf.dispose([x, target, w1, w2]);
  log(`tensor tour took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
