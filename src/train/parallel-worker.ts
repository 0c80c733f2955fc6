/**
 * One data-parallel training worker (see parallel.ts): its own tfjs and wasm
 * instance, the same detector and losses as the main thread, one shard of
 * every batch. Reads the weights from shared memory, writes its gradients
 * into its slot, and answers with its loss terms; asked to update, it sums
 * the workers' gradients over its share of the parameters and applies the
 * optimizer's update to them in shared memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createDetector } from '../detect/create-detector.js';
import { loadBackboneWeights } from '../detect/weights.js';
import { tf } from '../detect/tf.js';
import { SeededRng as Rng } from '../util/rng.js';
import { setupBackend } from './backend.js';
import { copyValues } from './host-kernel.js';
import { clipScale, sumSquares, updateValues, weightDecayOf, type OptimizerConfig } from './optimizer.js';
import { assignFlat, barrier, flatLayout, shardPass, SYNC_INTS, trainableOf, updateShare, type WorkerInit, type WorkerMessage, type WorkerReply, type WorkerStep, type WorkerUpdate } from './parallel.js';
import { makeDetectorLosses } from './trainer.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const post = (m: WorkerReply): void => port.postMessage(m);

function errorReply(e: unknown): WorkerReply {
  return { ok: false, message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined };
}

try {
  const { spec, rank, world, layout } = init;
  await setupBackend(spec.backend);
  const det = createDetector(spec.detector, spec.numClasses, new Rng(spec.seed), spec.options ?? {});
  if (spec.weights) loadBackboneWeights(det.params, spec.weights);
  const entries = det.params.entries();
  if (entries.length !== layout.length || entries.some(([n, v], i) => n !== layout[i]!.name || v.size !== layout[i]!.size)) {
    throw new Error('the worker built a network whose parameters differ from the main thread');
  }
  const { offsets, total } = flatLayout(layout.map((l) => l.size));
  const params = new Float32Array(init.params);
  const grads = new Float32Array(init.grads, 4 * rank * total, total);
  const ctl = new Int32Array(init.sync, 0, SYNC_INTS);
  const vals = new Float64Array(init.sync, 4 * SYNC_INTS, world);
  /** Σ over the workers of `x` (each worker's own value), after a barrier; the same sum, in worker order, on every worker. */
  const allSum = (x: number): number => {
    vals[rank] = x;
    barrier(ctl, world);
    let s = 0;
    for (let k = 0; k < world; k++) s += vals[k]!;
    // Nobody writes the next sum's value before everyone has read this one.
    barrier(ctl, world);
    return s;
  };
  const losses = { ...makeDetectorLosses(spec.detector, spec.clsLoss, spec.regLoss, spec.recipe), batchSum: allSum };
  // Frozen stages get no gradient here either: their slots stay absent, so the optimizer never sees them.
  const vars = trainableOf(det, spec).map(([, v]) => v);
  const index = new Map(entries.map(([, v], i) => [v.name, i]));
  const [from, to] = updateShare(layout.map((l) => l.size), rank, world);
  // Views of every worker's flags and of every worker's gradients over this worker's share.
  const presentAll = Array.from({ length: world }, (_, r) => new Uint8Array(init.present, r * layout.length, layout.length));
  const present = presentAll[rank]!;
  const view = (buf: SharedArrayBuffer, at: number, i: number): Float32Array => new Float32Array(buf, 4 * (at + offsets[i]!), layout[i]!.size);
  const share = Array.from({ length: to - from }, (_, k) => from + k);
  const shareGrads = Array.from({ length: world }, (_, r) => share.map((i) => view(init.grads, r * total, i)));
  const shareWeights = share.map((i) => view(init.params, 0, i));
  let opt: { cfg: OptimizerConfig; slots: Float32Array[][]; initialized: Uint8Array } | undefined;

  const step = (m: WorkerStep): WorkerReply => {
    assignFlat(entries, params, offsets);
    const { values, grads: g } = shardPass(det, losses, m, new Rng(m.seed), vars);
    present.fill(0);
    for (const [vn, t] of Object.entries(g)) {
      const i = index.get(vn)!;
      copyValues(tf, t, grads, offsets[i]);
      present[i] = 1;
    }
    tf.dispose(Object.values(g));
    return { ok: true, values };
  };

  /**
   * The update of this worker's share: each parameter's gradient is the sum
   * of the workers' slots in worker order, written into the first present
   * slot; the norm is global (every share's Σ g², summed in worker order).
   */
  const update = (m: WorkerUpdate): WorkerReply => {
    if (!opt) throw new Error('update before the optimizer was bound');
    const summed: (Float32Array | undefined)[] = [];
    let sq = 0;
    share.forEach((i, k) => {
      let sum: Float32Array | undefined;
      for (let r = 0; r < world; r++) {
        if (presentAll[r]![i] !== 1) continue;
        const slot = shareGrads[r]![k]!;
        if (!sum) sum = slot;
        else for (let j = 0; j < sum.length; j++) sum[j] = sum[j]! + slot[j]!;
      }
      summed[k] = sum;
      if (sum) sq += sumSquares(sum);
    });
    const norm = Math.sqrt(allSum(sq));
    const scale = clipScale(opt.cfg, norm);
    share.forEach((i, k) => {
      const g = summed[k];
      if (!g || !opt) return;
      const x = shareWeights[k]!;
      updateValues(opt.cfg, m.t, m.lr, scale, weightDecayOf(opt.cfg, entries[i]![1].shape), x, x, g, opt.slots[k]!, opt.initialized[i] !== 1);
      opt.initialized[i] = 1;
    });
    return { ok: true, norm };
  };

  port.on('message', (m: WorkerMessage) => {
    try {
      if (m.type === 'optimizer') {
        const kinds = m.slots.byteLength / (4 * total);
        opt = { cfg: m.cfg, slots: share.map((i) => Array.from({ length: kinds }, (_, j) => view(m.slots, j * total, i))), initialized: new Uint8Array(m.initialized) };
        return;
      }
      post(m.type === 'step' ? step(m) : update(m));
    } catch (e) {
      post(errorReply(e));
    }
  });
  post({ ok: true, ready: true });
} catch (e) {
  post(errorReply(e));
}
