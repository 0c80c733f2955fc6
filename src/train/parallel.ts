/**
 * Data-parallel training steps: `--workers N` splits each global batch into
 * N contiguous shards, each run by its own worker thread with its own tfjs
 * and wasm instance (so N cores work at once; one wasm instance runs on one
 * thread under Node).
 *
 * Shared memory (SharedArrayBuffer) carries the numbers:
 * - parameters: written by the main thread after each optimizer update,
 *   read by every worker before its shard;
 * - gradients: one slot per worker, summed by the main thread in worker
 *   order (so the sum does not depend on which thread finished first);
 * - normalisers: `batchSum` (see DetectorLosses) adds a count or weight over
 *   the shards with a barrier, so each shard divides by the global batch's
 *   positives as one process would, and the shards' gradients and loss
 *   terms add up to the whole batch's. mmdetection's reduce_mean does the
 *   same across GPUs.
 * The main thread keeps the only optimizer and the authoritative weights;
 * checkpoints and evaluation are unchanged.
 *
 * With the same global batch and seed, one worker and N give the same
 * losses and weights up to float32 rounding (the shards' sums are added in
 * another order). Detectors that sample (Faster R-CNN) draw from a stream
 * seeded per step and shard instead of the single run's stream, so their
 * curves agree in distribution, not draw for draw.
 */
import { Worker } from 'node:worker_threads';
import { trainableEntries } from '../detect/backbone.js';
import type { Detector, DetectorKind, DetectorLosses, DetectorOptions, ImageTargets, Recipe } from '../detect/types.js';
import { tf } from '../detect/tf.js';
import { UserError } from '../util/errors.js';
import type { SeededRng as Rng } from '../util/rng.js';
import type { BackendName } from './backend-names.js';
import { copyValues } from './host-kernel.js';

/** What a worker needs to build the same detector and losses as the main thread. */
export interface ShardSpec {
  readonly detector: DetectorKind;
  readonly numClasses: number;
  /** Seed of the detector's initial weights (they are overwritten from shared memory before every step). */
  readonly seed: number;
  readonly clsLoss: string;
  readonly regLoss: string;
  readonly recipe: Recipe;
  /** The backend the worker starts by name (the main thread's choice, never `auto`). */
  readonly backend: BackendName;
  /** How the detector is built (backbone, norm, widths), and a backbone checkpoint whose frozen statistics every worker loads. */
  readonly options?: DetectorOptions;
  readonly weights?: string;
  /** Backbone stages that get no gradient (backbone.ts `trainableEntries`); default -1, none. */
  readonly frozenStages?: number;
}

/** One batch as the data loader gives it. */
export interface HostBatch {
  readonly images: Float32Array;
  readonly shape: [number, number, number, number];
  readonly targets: readonly ImageTargets[];
}

/** Loss values (`loss` and every term) and the summed gradients by parameter name. */
export interface StepOutput {
  readonly values: Record<string, number>;
  readonly grads: Map<string, Float32Array>;
}

/** Runs the forward and backward pass of one training step, in-process or across workers. */
export interface Stepper {
  readonly workers: number;
  step(batch: HostBatch, rng: Rng): Promise<StepOutput>;
  /** Makes the main thread's current weights those the next step uses. */
  publish(): void;
  close(): Promise<void>;
}

/** The message a worker gets at start-up. */
export interface WorkerInit {
  readonly spec: ShardSpec;
  readonly rank: number;
  readonly world: number;
  readonly layout: readonly { name: string; size: number }[];
  readonly params: SharedArrayBuffer;
  readonly grads: SharedArrayBuffer;
  readonly present: SharedArrayBuffer;
  readonly sync: SharedArrayBuffer;
}

export interface WorkerStep {
  readonly images: Float32Array;
  readonly shape: [number, number, number, number];
  readonly targets: readonly ImageTargets[];
  readonly seed: number;
}

export type WorkerReply = { ok: true; ready?: boolean; values?: Record<string, number> } | { ok: false; message: string; stack?: string };

/** Layout of the synchronisation buffer: [arrived, generation, abort, _] as Int32, then one Float64 per worker. */
export const SYNC_INTS = 4;

/**
 * A barrier over `world` threads on `ctl` ([arrived, generation, abort]).
 * Throws when another party aborted, so a failing shard cannot leave the
 * others waiting for ever.
 */
export function barrier(ctl: Int32Array, world: number): void {
  const gen = Atomics.load(ctl, 1);
  if (Atomics.add(ctl, 0, 1) === world - 1) {
    Atomics.store(ctl, 0, 0);
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
    return;
  }
  while (Atomics.load(ctl, 1) === gen) {
    if (Atomics.load(ctl, 2) !== 0) throw new Error('another worker failed during this step');
    Atomics.wait(ctl, 1, gen, 500);
  }
}

/** The parameters a shard differentiates: all but the frozen backbone stages'. */
export function trainableOf(det: Detector, spec: Pick<ShardSpec, 'options' | 'frozenStages'>): [string, tf.Variable][] {
  return trainableEntries(det.params, spec.options?.backbone ?? 'tiny', spec.frozenStages ?? -1);
}

/** The in-process stepper: tfjs's autograd on the main thread, over `entries` (default: every parameter). */
function localStepper(det: Detector, losses: DetectorLosses, entries = det.params.entries()): Stepper {
  const vars = entries.map(([, v]) => v);
  const nameOf = new Map(entries.map(([n, v]) => [v.name, n]));
  return {
    workers: 1,
    step: async (b, rng) => {
      const images = tf.tensor4d(b.images, b.shape);
      let terms: Record<string, tf.Scalar> = {};
      const { value, grads } = tf.variableGrads(() => {
        terms = det.losses(images, b.targets, losses, rng);
        for (const t of Object.values(terms)) tf.keep(t);
        return tf.addN(Object.values(terms)) as tf.Scalar;
      }, vars);
      const values: Record<string, number> = { loss: value.dataSync()[0]! };
      for (const [k, t] of Object.entries(terms)) values[k] = t.dataSync()[0]!;
      const out = new Map<string, Float32Array>();
      for (const [vn, g] of Object.entries(grads)) out.set(nameOf.get(vn)!, g.dataSync() as Float32Array);
      tf.dispose([value, images, ...Object.values(terms), ...Object.values(grads)]);
      return { values, grads: out };
    },
    publish: () => undefined,
    close: async () => undefined,
  };
}

/** Where a worker thread starts (built: the .js beside this file; from source: tsx registered first, as the search's thread pool does). */
function workerEntry(): URL {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './parallel-worker.ts' : './parallel-worker.js', import.meta.url);
  if (!fromSource) return entry;
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(entry.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/** Contiguous shard sizes of a batch of `b` over `n` workers (the first b mod n get one more). */
export function shardSizes(b: number, n: number): number[] {
  return Array.from({ length: n }, (_, k) => Math.floor(b / n) + (k < b % n ? 1 : 0));
}

class ParallelStepper implements Stepper {
  private readonly offsets: number[];
  private readonly total: number;
  private readonly paramsView: Float32Array;
  private readonly gradsView: Float32Array;
  private readonly presentView: Uint8Array;
  private readonly ctl: Int32Array;
  private readonly threads: Worker[] = [];
  private failure: Error | undefined;

  constructor(
    readonly workers: number,
    private readonly det: Detector,
    private readonly spec: ShardSpec,
  ) {
    const entries = det.params.entries();
    this.offsets = [];
    let off = 0;
    for (const [, v] of entries) {
      this.offsets.push(off);
      off += v.size;
    }
    this.total = off;
    this.paramsView = new Float32Array(new SharedArrayBuffer(4 * off));
    this.gradsView = new Float32Array(new SharedArrayBuffer(4 * off * workers));
    this.presentView = new Uint8Array(new SharedArrayBuffer(entries.length * workers));
    this.ctl = new Int32Array(new SharedArrayBuffer(4 * SYNC_INTS + 8 * workers));
  }

  async start(): Promise<void> {
    const entries = this.det.params.entries();
    const layout = entries.map(([name, v]) => ({ name, size: v.size }));
    const entry = workerEntry();
    const ready = Array.from({ length: this.workers }, (_, rank) => {
      const init: WorkerInit = {
        spec: this.spec,
        rank,
        world: this.workers,
        layout,
        params: this.paramsView.buffer as SharedArrayBuffer,
        grads: this.gradsView.buffer as SharedArrayBuffer,
        present: this.presentView.buffer as SharedArrayBuffer,
        sync: this.ctl.buffer as SharedArrayBuffer,
      };
      const w = new Worker(entry, { workerData: init, name: `train-shard-${rank}`, execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')) });
      this.threads.push(w);
      w.on('error', (e) => this.fail(new Error(`training worker ${rank} died: ${e.message}`)));
      return this.reply(w, rank);
    });
    await Promise.all(ready);
    this.publish();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    Atomics.store(this.ctl, 2, 1);
    Atomics.notify(this.ctl, 1);
  }

  private reply(w: Worker, rank: number): Promise<Record<string, number>> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: WorkerReply): void => {
        cleanup();
        if (m.ok) resolve(m.values ?? {});
        else {
          const e = new Error(`training worker ${rank}: ${m.message}`);
          this.fail(e);
          reject(e);
        }
      };
      const onExit = (code: number): void => {
        cleanup();
        const e = this.failure ?? new Error(`training worker ${rank} exited (code ${code})`);
        this.fail(e);
        reject(e);
      };
      const cleanup = (): void => {
        w.off('message', onMessage);
        w.off('exit', onExit);
      };
      w.on('message', onMessage);
      w.on('exit', onExit);
    });
  }

  publish(): void {
    this.det.params.entries().forEach(([, v], i) => copyValues(tf, v, this.paramsView, this.offsets[i]));
  }

  async step(b: HostBatch, rng: Rng): Promise<StepOutput> {
    if (this.failure) throw this.failure;
    const [n, h, w, c] = b.shape;
    const sizes = shardSizes(n, this.workers);
    const per = h * w * c;
    // One draw per step from the run's stream seeds every shard's sampling: a resumed run draws the same.
    const seed = rng.int(0x7fffffff);
    let start = 0;
    const replies = this.threads.map((t, rank) => {
      const k = sizes[rank]!;
      const msg: WorkerStep = {
        images: b.images.slice(start * per, (start + k) * per),
        shape: [k, h, w, c],
        targets: b.targets.slice(start, start + k),
        seed: (seed + 0x9e3779b9 * rank) >>> 0,
      };
      start += k;
      const r = this.reply(t, rank);
      t.postMessage(msg, [msg.images.buffer as ArrayBuffer]);
      return r;
    });
    let results: Record<string, number>[];
    try {
      results = await Promise.all(replies);
    } finally {
      // A failed step leaves the barrier's abort flag set; the stepper is unusable after it.
    }
    const values: Record<string, number> = {};
    for (const r of results) for (const [k, v] of Object.entries(r)) values[k] = (values[k] ?? 0) + v;
    const grads = new Map<string, Float32Array>();
    const entries = this.det.params.entries();
    entries.forEach(([name, v], i) => {
      let sum: Float32Array | undefined;
      for (let rank = 0; rank < this.workers; rank++) {
        if (!this.presentView[rank * entries.length + i]) continue;
        const slot = this.gradsView.subarray(rank * this.total + this.offsets[i]!, rank * this.total + this.offsets[i]! + v.size);
        if (!sum) sum = Float32Array.from(slot);
        else for (let j = 0; j < sum.length; j++) sum[j] = sum[j]! + slot[j]!;
      }
      if (sum) grads.set(name, sum);
    });
    return { values, grads };
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.terminate()));
  }
}

/**
 * A stepper for `workers` shards: in-process for 1, worker threads for more.
 * The caller keeps `det` (on the main thread) as the authoritative weights
 * and calls `publish()` after each optimizer update.
 *
 * @example
 * const stepper = await createStepper(2, det, losses, { detector: 'fcos', numClasses: 5, seed: 0, clsLoss: 'focal', regLoss: 'giou', recipe, backend: 'wasm' });
 * const { values, grads } = await stepper.step(batch, rng);
 * opt.stepArrays(det.params.entries(), grads, lr);
 * stepper.publish();
 */
export async function createStepper(workers: number, det: Detector, losses: DetectorLosses, spec: ShardSpec, batchSize?: number): Promise<Stepper> {
  if (!Number.isInteger(workers) || workers < 1) throw new UserError(`--workers must be a positive integer, got ${workers}`);
  if (batchSize !== undefined && workers > batchSize) throw new UserError(`--workers ${workers} exceeds the batch of ${batchSize} images: each worker needs at least one`);
  if (workers === 1) return localStepper(det, losses, trainableOf(det, spec));
  const s = new ParallelStepper(workers, det, spec);
  try {
    await s.start();
  } catch (e) {
    await s.close();
    throw e;
  }
  return s;
}
