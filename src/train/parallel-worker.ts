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
import { barrier, shardPass, SYNC_INTS, trainableOf, updateShare, type WorkerInit, type WorkerMessage, type WorkerReply, type WorkerStep, type WorkerUpdate } from './parallel.js';
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
  const offsets: number[] = [];
  let total = 0;
  for (const l of layout) {
    offsets.push(total);
    total += l.size;
  }
  const params = new Float32Array(init.params);
  const grads = new Float32Array(init.grads, 4 * rank * total, total);
  const present = new Uint8Array(init.present, rank * layout.length, layout.length);
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
  const presentOf = (r: number, i: number): boolean => new Uint8Array(init.present, r * layout.length, layout.length)[i] === 1;
  const gradsOf = (r: number, i: number): Float32Array => new Float32Array(init.grads, 4 * (r * total + offsets[i]!), layout[i]!.size);
  const [from, to] = updateShare(layout.map((l) => l.size), rank, world);
  let opt: { cfg: OptimizerConfig; slots: SharedArrayBuffer; initialized: Uint8Array } | undefined;

  const step = (m: WorkerStep): WorkerReply => {
    entries.forEach(([, v], i) => {
      const t = tf.tensor(params.subarray(offsets[i]!, offsets[i]! + v.size), v.shape);
      v.assign(t);
      t.dispose();
    });
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
    for (let i = from; i < to; i++) {
      let sum: Float32Array | undefined;
      for (let r = 0; r < world; r++) {
        if (!presentOf(r, i)) continue;
        const slot = gradsOf(r, i);
        if (!sum) sum = slot;
        else for (let j = 0; j < sum.length; j++) sum[j] = sum[j]! + slot[j]!;
      }
      summed[i - from] = sum;
      if (sum) sq += sumSquares(sum);
    }
    const norm = Math.sqrt(allSum(sq));
    const scale = clipScale(opt.cfg, norm);
    for (let i = from; i < to; i++) {
      const g = summed[i - from];
      if (!g) continue;
      const x = params.subarray(offsets[i]!, offsets[i]! + layout[i]!.size);
      const slotViews = Array.from({ length: opt.slots.byteLength / (4 * total) }, (_, k) => new Float32Array(opt!.slots, 4 * (k * total + offsets[i]!), layout[i]!.size));
      updateValues(opt.cfg, m.t, m.lr, scale, weightDecayOf(opt.cfg, entries[i]![1].shape), x, x, g, slotViews, opt.initialized[i] !== 1);
      opt.initialized[i] = 1;
    }
    return { ok: true, norm };
  };

  port.on('message', (m: WorkerMessage) => {
    try {
      if (m.type === 'optimizer') {
        opt = { cfg: m.cfg, slots: m.slots, initialized: new Uint8Array(m.initialized) };
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
