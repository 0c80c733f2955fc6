import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as tfc from '@tensorflow/tfjs-core';
import { getTf, setupBackend } from '../../src/train/backend.js';
import { boxTerms, iouOf } from '../../src/train/boxes.js';
import {
  hostSigmoidFocal,
  hostSoftmaxCrossEntropy,
  l1Loss,
  LossSpecError,
  makeClsLoss,
  makeRegLoss,
  reduceLoss,
  sigmoidFocal,
  smoothL1Loss,
  softmaxCrossEntropy,
  type KernelChoice,
} from '../../src/train/losses.js';
import { UserError } from '../../src/util/errors.js';

// A small batch: 4 samples; multi has C = 3 classes + background (index 3), binary C = 3.
const LOGITS_MULTI = [
  [1.2, -0.3, 0.5, 0.1],
  [-1.0, 2.0, 0.3, -0.2],
  [0.4, 0.4, -2.2, 1.5],
  [0.0, -0.7, 1.1, 0.9],
];
const LOGITS_BIN = LOGITS_MULTI.map((r) => r.slice(0, 3));
const LABELS = [0, 2, 3, 1]; // sample 2 is background
const IOUS = [0.8, 0.55, 0, 0.3];
const WEIGHTS = [1, 0.5, 1, 2];
const AVG = 3.5;
const EPS = 1.1920928955078125e-7;

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const logSoftmax = (r: number[], k: number) => {
  const m = Math.max(...r);
  return r[k]! - m - Math.log(sum(r.map((v) => Math.exp(v - m))));
};

/** σ from its definition (not the library's two-branch form). */
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
/** Sgdf from SEMANTICS.md's definition: (gd(πa/4)·2/π + 1)/2 with gd(t) = 2·atan(tanh(t/2)). */
const sgdf = (a: number): number => ((2 * Math.atan(Math.tanh((Math.PI * a) / 8)) * 2) / Math.PI + 1) / 2;
/**
 * Serf at the only two arguments the batch gives it, σ(1 − y) for y = 0 and 1:
 * (1 + erf(√π·a/4))/2 at a = σ(1) and a = ½, computed with mpmath at 30 digits.
 */
const SERF_AT: ReadonlyMap<number, number> = new Map([
  [0, 0.6765679714733781], // y = 0: a = σ(1)
  [1, 0.6229844632358301], // y = 1: a = σ(0) = ½
]);

/** The paper's closed forms, computed by hand in float64. */
const HAND = {
  'autoloss-a-cls': () =>
    LOGITS_MULTI.map((r, n) => {
      const w = LABELS[n]! < 3 ? IOUS[n]! : 1;
      return -(1 + Math.sin(w)) * logSoftmax(r, LABELS[n]!);
    }),
  'autoloss-b-cls': () =>
    LOGITS_BIN.map((r, n) =>
      sum(
        r.map((x, c) => {
          const y = LABELS[n] === c ? 1 : 0;
          const q = y * IOUS[n]!;
          const s = sigmoid(x);
          const v = -(q * (1 + SERF_AT.get(y)!) * Math.log(s) + (sgdf(x) - q) * (s - q) * Math.log(1 - s));
          return v * (0.25 * y + 0.75 * (1 - y));
        }),
      ),
    ),
};

function cls(tf: typeof import('@tensorflow/tfjs-core'), domain: 'multi' | 'binary') {
  return {
    logits: tf.tensor2d(domain === 'multi' ? LOGITS_MULTI : LOGITS_BIN),
    labels: tf.tensor1d(LABELS, 'int32'),
    ious: tf.tensor1d(IOUS),
  };
}

function near(actual: number, expected: number, where: string, rel = 2e-5): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected) + 1e-6, `${where}: got ${actual}, expected ${expected}`);
}

const PRED = [
  [0, 0, 10, 10],
  [2, 3, 8, 9],
  [5, 5, 6, 7],
];
const TARGET = [
  [1, 1, 11, 12],
  [2, 3, 8, 9],
  [10, 10, 14, 15],
];
/** I, U, E of the boxes above, by hand. */
const IUE = PRED.map((p, k) => {
  const t = TARGET[k]!;
  const iw = Math.max(0, Math.min(p[2]!, t[2]!) - Math.max(p[0]!, t[0]!));
  const ih = Math.max(0, Math.min(p[3]!, t[3]!) - Math.max(p[1]!, t[1]!));
  const i = iw * ih;
  const u = (p[2]! - p[0]!) * (p[3]! - p[1]!) + (t[2]! - t[0]!) * (t[3]! - t[1]!) - i + 1e-7;
  const e = (Math.max(p[2]!, t[2]!) - Math.min(p[0]!, t[0]!)) * (Math.max(p[3]!, t[3]!) - Math.min(p[1]!, t[1]!)) + 1e-7;
  return { i, u, e };
});
const HAND_REG = {
  'autoloss-a-reg': ({ i, u, e }: { i: number; u: number; e: number }) => 1 - i / u + (1 - (i + 2) / e),
  'autoloss-b-reg': ({ i, u, e }: { i: number; u: number; e: number }) => (3 * e * u + 12 * e + 3 * i + 3 * u + 18) / (-3 * e * u + i * u + u * u - 15 * e + 5 * i + 5 * u),
  iou: ({ i, u }: { i: number; u: number; e: number }) => 1 - i / u,
  giou: ({ i, u, e }: { i: number; u: number; e: number }) => 1 - i / u + (e - u) / e,
};

describe('makeClsLoss', () => {
  for (const kernel of ['fused', 'tfjs'] as KernelChoice[]) {
    it(`should reproduce the hand-computed published classification losses (${kernel} kernel), plain and with weights and an average factor`, async () => {
      await setupBackend('cpu');
      const tf = getTf();
      for (const [name, domain] of [['autoloss-a-cls', 'multi'], ['autoloss-b-cls', 'binary']] as const) {
        const per = HAND[name]();
        const loss = makeClsLoss(name, domain, { kernel });
        const args = cls(tf, domain);
        // binary averages over N×C elements, multi over N samples.
        const count = domain === 'binary' ? 4 * 3 : 4;
        near(loss(args).dataSync()[0]!, sum(per) / count, `${name} mean`);
        const weighted = sum(per.map((v, n) => v * WEIGHTS[n]!)) / (AVG + EPS);
        near(loss({ ...args, weights: tf.tensor1d(WEIGHTS), avgFactor: AVG }).dataSync()[0]!, weighted, `${name} weighted`);
      }
    });
  }

  it('should run the native ce and focal baselines, focal with α applied once', async () => {
    await setupBackend('wasm');
    const tf = getTf();
    const ce = LOGITS_MULTI.map((r, n) => -logSoftmax(r, LABELS[n]!));
    near(makeClsLoss('ce', 'multi')(cls(tf, 'multi')).dataSync()[0]!, sum(ce) / 4, 'ce');
    const focal = LOGITS_BIN.flatMap((r, n) =>
      r.map((x, c) => {
        const y = LABELS[n] === c ? 1 : 0;
        const p = sigmoid(x);
        return y ? -0.25 * (1 - p) ** 2 * Math.log(p) : -0.75 * p ** 2 * Math.log(1 - p);
      }),
    );
    near(makeClsLoss('focal', 'binary')(cls(tf, 'binary')).dataSync()[0]!, sum(focal) / 12, 'focal');
  });

  it('should give the logits the same gradient with either kernel, and none to the IoUs', async () => {
    await setupBackend('wasm');
    const tf = getTf();
    const { logits, labels } = cls(tf, 'binary');
    const grads = (['fused', 'tfjs'] as KernelChoice[]).map((kernel) => {
      const loss = makeClsLoss('autoloss-b-cls', 'binary', { kernel });
      return tf.grads((x: tfc.Tensor, i: tfc.Tensor) => loss({ logits: x as tfc.Tensor2D, labels, ious: tf.add(i, 0) as tfc.Tensor1D }));
    });
    // On a host backend both read the IoUs as data when building Q: no path back to them.
    for (const g of grads) assert.throws(() => g([logits, tf.tensor1d(IOUS)]), /Cannot compute gradient/);
    const [a, b] = (['fused', 'tfjs'] as KernelChoice[]).map((kernel) => {
      const loss = makeClsLoss('autoloss-b-cls', 'binary', { kernel });
      return tf.grad((x: tfc.Tensor) => loss({ logits: x as tfc.Tensor2D, labels, ious: tf.tensor1d(IOUS) }))(logits).dataSync();
    });
    assert.ok(Array.from(b!).some((v) => v !== 0));
    for (let k = 0; k < a!.length; k++) near(a![k]!, b![k]!, `dX[${k}]`, 1e-4);
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`should give the host ce and focal kernels the values and gradients of their tfjs-op formulations, background rows included (${backend})`, async () => {
      await setupBackend(backend);
      const tf = getTf();
      // 60 samples over 5 classes + background, logits spread wide enough to reach both sigmoid branches.
      let s = 7;
      const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      const n = 60;
      const c = 5;
      const labels = tf.tensor1d(Array.from({ length: n }, () => Math.floor(rnd() * (c + 1))), 'int32');
      const weights = tf.tensor1d(Array.from({ length: n }, () => rnd() * 2));
      // Every 7th row far out (|x| up to 120), where σ underflows in float32 and the stable branch takes over.
      const x = tf.tensor2d(Array.from({ length: n }, (_, k) => Array.from({ length: c + 1 }, () => (rnd() - 0.5) * (k % 7 === 0 ? 240 : 24))));
      const xb = tf.slice(x, [0, 0], [-1, c]) as tfc.Tensor2D;
      const py = tf.slice(tf.oneHot(labels, c + 1), [0, 0], [-1, c]) as tfc.Tensor2D;
      const pairs: [string, tfc.Tensor2D, (v: tfc.Tensor2D) => tfc.Tensor, (v: tfc.Tensor2D) => tfc.Tensor][] = [
        ['ce', x, (v) => hostSoftmaxCrossEntropy(tf, v, labels), (v) => softmaxCrossEntropy(tf, v, labels)],
        ['focal', xb, (v) => hostSigmoidFocal(tf, v, labels), (v) => sigmoidFocal(tf, v, py)],
      ];
      for (const [name, input, host, ops] of pairs) {
        const run = (f: (v: tfc.Tensor2D) => tfc.Tensor) =>
          tf.valueAndGrad((v: tfc.Tensor) => reduceLoss(tf, f(v as tfc.Tensor2D), weights, 7))(input);
        const h = run(host);
        const o = run(ops);
        near(h.value.dataSync()[0]!, o.value.dataSync()[0]!, `${name} value`, 1e-5);
        const [gh, go] = [h.grad.dataSync(), o.grad.dataSync()];
        assert.ok(Array.from(go).some((v) => v !== 0));
        for (let k = 0; k < gh.length; k++) assert.ok(Math.abs(gh[k]! - go[k]!) <= 1e-5 * Math.abs(go[k]!) + 1e-7, `${name} d[${k}]: ${gh[k]} vs ${go[k]}`);
      }
    });
  }

  it('should refuse a loss of the wrong domain, naming the domain expected', () => {
    assert.throws(() => makeClsLoss('autoloss-a-cls', 'binary'), (e: unknown) => e instanceof LossSpecError && /expected a binary loss/.test(e.message) && e instanceof UserError);
    assert.throws(() => makeClsLoss('Neg(Dot(Y,Log(Softmax(X))))', 'binary'), (e: unknown) => e instanceof LossSpecError && /domain binary/.test(e.message));
    assert.throws(() => makeRegLoss('focal'), /built-in 'focal' is a binary loss; expected a reg loss/);
    assert.throws(() => makeRegLoss('Div(I,'), LossSpecError);
  });
});

describe('losses in training steps', () => {
  it('should minimize through tidy scopes (logits built inside the step) without leaking tensors, with either kernel', async () => {
    await setupBackend('wasm');
    const tf = getTf();
    const raw = tf.variable(tf.tensor2d(LOGITS_BIN));
    const box = tf.variable(tf.tensor2d(PRED));
    const labels = tf.tensor1d(LABELS, 'int32');
    const ious = tf.tensor1d(IOUS);
    const target = tf.tensor2d(TARGET);
    const opt = tf.train.sgd(0.01);
    for (const [spec, domain] of [['autoloss-a-cls', 'multi'], ['autoloss-b-cls', 'binary'], ['ce', 'multi'], ['focal', 'binary']] as const) {
      for (const kernel of ['fused', 'tfjs'] as KernelChoice[]) {
        const cls = makeClsLoss(spec, domain, { kernel });
        const reg = makeRegLoss('autoloss-b-reg', { kernel });
        const step = () => {
          const l = opt.minimize(() => {
            // The background column is made inside the step and disposed by its scope before the backward pass.
            const logits = (domain === 'multi' ? tf.concat([raw, tf.zeros([4, 1])], 1) : tf.mul(raw, 1)) as tfc.Tensor2D;
            return tf.add(cls({ logits, labels, ious }), reg({ pred: box as unknown as tfc.Tensor2D, target })) as tfc.Scalar;
          }, true)!;
          const v = l.dataSync()[0]!;
          l.dispose();
          return v;
        };
        assert.ok(Number.isFinite(step()), `${spec} ${kernel}`);
        const before = tf.memory().numTensors;
        for (let i = 0; i < 3; i++) step();
        assert.equal(tf.memory().numTensors, before, `${spec} ${kernel}: tensors leaked`);
      }
    }
  });
});

describe('makeRegLoss', () => {
  for (const kernel of ['fused', 'tfjs'] as KernelChoice[]) {
    it(`should reproduce the hand-computed regression losses from boxes (${kernel} kernel)`, async () => {
      await setupBackend('cpu');
      const tf = getTf();
      const pred = tf.tensor2d(PRED);
      const target = tf.tensor2d(TARGET);
      for (const [name, f] of Object.entries(HAND_REG)) {
        const per = IUE.map(f);
        const loss = makeRegLoss(name, { kernel });
        near(loss({ pred, target }).dataSync()[0]!, sum(per) / 3, `${name} mean`);
        near(loss({ pred, target, weights: tf.tensor1d([1, 0, 2]), avgFactor: 2 }).dataSync()[0]!, (per[0]! + 2 * per[2]!) / (2 + EPS), `${name} weighted`);
      }
    });
  }

  it('should give I, U, E with the 1e-7 terms and detached IoUs', async () => {
    await setupBackend('wasm');
    const tf = getTf();
    const { I, U, E } = boxTerms(tf, tf.tensor2d(PRED), tf.tensor2d(TARGET));
    IUE.forEach((t, k) => {
      near(I.dataSync()[k]!, t.i, `I[${k}]`);
      near(U.dataSync()[k]!, t.u, `U[${k}]`);
      near(E.dataSync()[k]!, t.e, `E[${k}]`);
    });
    const g = tf.grad((p: tfc.Tensor) => tf.sum(iouOf(tf, p as tfc.Tensor2D, tf.tensor2d(TARGET))))(tf.tensor2d(PRED));
    assert.deepEqual(Array.from(g.dataSync()), new Array(12).fill(0));
  });

  it('should train the box towards its target with GIoU', async () => {
    await setupBackend('wasm');
    const tf = getTf();
    const box = tf.variable(tf.tensor2d([[0, 0, 4, 4]]));
    const target = tf.tensor2d([[3, 3, 9, 8]]);
    const loss = makeRegLoss('giou');
    const opt = tf.train.sgd(2);
    const first = loss({ pred: box as unknown as tfc.Tensor2D, target }).dataSync()[0]!;
    for (let i = 0; i < 30; i++) opt.minimize(() => loss({ pred: box as unknown as tfc.Tensor2D, target }));
    const last = loss({ pred: box as unknown as tfc.Tensor2D, target }).dataSync()[0]!;
    assert.ok(last < 0.5 * first, `${first} → ${last}`);
  });
});

describe('l1Loss and smoothL1Loss', () => {
  it('should match mmdetection on box deltas, with weights and an average factor', async () => {
    await setupBackend('cpu');
    const tf = getTf();
    const p = tf.tensor2d([[0.5, -2, 0, 0.1], [3, 0, 0, 0]]);
    const t = tf.zeros([2, 4]) as tfc.Tensor2D;
    near(l1Loss(p, t).dataSync()[0]!, (0.5 + 2 + 0.1 + 3) / 8, 'l1');
    near(smoothL1Loss(p, t).dataSync()[0]!, (0.125 + 1.5 + 0.005 + 2.5) / 8, 'smooth-l1');
    near(l1Loss(p, t, tf.tensor1d([0, 1]), 4).dataSync()[0]!, 3 / (4 + EPS), 'l1 weighted');
  });

  it('should give smooth-L1 a gradient through a trained variable: d/2 inside beta, sign(d) outside', async () => {
    await setupBackend('cpu');
    const tf = getTf();
    const v = tf.variable(tf.tensor2d([[0.5, -2, 0, 3]]));
    const g = tf.grad((x: tfc.Tensor) => smoothL1Loss(x as tfc.Tensor2D, tf.zeros([1, 4]) as tfc.Tensor2D))(v);
    assert.deepEqual(Array.from(g.dataSync(), (x) => x + 0), [0.5 / 4, -1 / 4, 0, 1 / 4]);
  });
});
