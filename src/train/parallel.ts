/**
 * Data-parallel training steps: `--workers N` splits each global batch into
 * N contiguous shards, each run by its own worker thread with its own tfjs
 * and wasm instance (so N cores work at once; one wasm instance runs on one
 * thread under Node).
 *
 * Shared memory (SharedArrayBuffer) carries the numbers:
 * - parameters: written by the main thread after each optimizer update,
 *   read by every worker before its shard;
 * - gradients: one slot per worker;
 * - the optimizer's slots (Adam's m and v, or the momentum buffer), which
 *   the main thread's Optimizer reads for checkpoints (`bindSlots`);
 * - normalisers: `batchSum` (see DetectorLosses) adds a count or weight over
 *   the shards with a barrier, so each shard divides by the global batch's
 *   positives as one process would, and the shards' gradients and loss
 *   terms add up to the whole batch's. mmdetection's reduce_mean does the
 *   same across GPUs.
 * The update runs in the workers too, each over its own contiguous share of
 * the parameters: it adds the workers' gradient slots in worker order (so
 * the sum does not depend on which thread finished first), takes the global
 * norm from each share's sum of squares for clipping, and applies the
 * optimizer's own update (`updateValues`) to the weights in shared memory.
 * The main thread decides whether a step is applied at all (it stops on a
 * non-finite loss before asking for the update), counts the updates, and
 * copies the new weights into its network, which checkpoints and evaluation
 * read as before.
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
import { slotCount, type Optimizer, type OptimizerConfig } from './optimizer.js';

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

/** Loss values (`loss` and every term) of one step. */
export interface StepOutput {
  readonly values: Record<string, number>;
}

/** Runs one training step, in-process or across workers: the forward and backward pass, then (if the caller applies it) the update. */
export interface Stepper {
  readonly workers: number;
  step(batch: HostBatch, rng: Rng): Promise<StepOutput>;
  /**
   * Applies the last step's gradients (summed over the workers) with `opt`
   * at rate `lr` to the trainable parameters, and leaves the new weights in
   * the main thread's network. Returns the gradient norm before clipping.
   */
  update(opt: Optimizer, lr: number): Promise<number>;
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
  readonly type: 'step';
  readonly images: Float32Array;
  readonly shape: [number, number, number, number];
  readonly targets: readonly ImageTargets[];
  readonly seed: number;
}

/** The optimizer's slots in shared memory: `slots` per parameter at the layout's offsets (slot k of all parameters, then slot k + 1), `initialized` one flag per parameter. */
export interface WorkerOptimizer {
  readonly type: 'optimizer';
  readonly cfg: OptimizerConfig;
  readonly slots: SharedArrayBuffer;
  readonly initialized: SharedArrayBuffer;
}

/** Apply the step: the `t`-th update at rate `lr`. */
export interface WorkerUpdate {
  readonly type: 'update';
  readonly lr: number;
  readonly t: number;
}

export type WorkerMessage = WorkerStep | WorkerOptimizer | WorkerUpdate;

export type WorkerReply = { ok: true; ready?: boolean; values?: Record<string, number>; norm?: number } | { ok: false; message: string; stack?: string };

/** Where each parameter starts in one flat array of them all (their sizes in order), and the array's length. */
export function flatLayout(sizes: readonly number[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (const n of sizes) {
    offsets.push(total);
    total += n;
  }
  return { offsets, total };
}

/** Sets each variable of `entries` to its values in the flat array `flat` (at `offsets`). */
export function assignFlat(entries: readonly [string, tf.Variable][], flat: Float32Array, offsets: readonly number[]): void {
  entries.forEach(([, v], i) => {
    const next = tf.tensor(flat.subarray(offsets[i]!, offsets[i]! + v.size), v.shape);
    v.assign(next);
    next.dispose();
  });
}

/** The parameters worker `rank` of `world` updates: a contiguous range [from, to) of the layout with about an equal share of the values. */
export function updateShare(sizes: readonly number[], rank: number, world: number): [number, number] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const cut = (r: number): number => {
    if (r >= world) return sizes.length;
    let acc = 0, i = 0;
    while (i < sizes.length && acc + sizes[i]! / 2 < (total * r) / world) acc += sizes[i++]!;
    return i;
  };
  return [cut(rank), cut(rank + 1)];
}

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

/**
 * The forward and backward pass over one batch or shard: the loss and each
 * loss term's value, and the gradients of `vars` by variable name (the
 * caller disposes them).
 */
export function shardPass(det: Detector, losses: DetectorLosses, b: HostBatch, rng: Rng, vars: tf.Variable[]): { values: Record<string, number>; grads: tf.NamedTensorMap } {
  const images = tf.tensor4d(b.images, b.shape);
  let terms: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    terms = det.losses(images, b.targets, losses, rng);
    for (const t of Object.values(terms)) tf.keep(t);
    return tf.addN(Object.values(terms)) as tf.Scalar;
  }, vars);
  const values: Record<string, number> = { loss: value.dataSync()[0]! };
  for (const [k, t] of Object.entries(terms)) values[k] = t.dataSync()[0]!;
  tf.dispose([value, images, ...Object.values(terms)]);
  return { values, grads };
}

/** The in-process stepper: tfjs's autograd on the main thread, over `entries` (default: every parameter). */
function localStepper(det: Detector, losses: DetectorLosses, entries = det.params.entries()): Stepper {
  const vars = entries.map(([, v]) => v);
  const nameOf = new Map(entries.map(([n, v]) => [v.name, n]));
  let grads = new Map<string, Float32Array>();
  return {
    workers: 1,
    step: async (b, rng) => {
      const { values, grads: g } = shardPass(det, losses, b, rng, vars);
      grads = new Map();
      for (const [vn, t] of Object.entries(g)) grads.set(nameOf.get(vn)!, t.dataSync() as Float32Array);
      tf.dispose(Object.values(g));
      return { values };
    },
    update: async (opt, lr) => opt.stepArrays(entries, grads, lr),
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
  /** The optimizer whose slots live in shared memory, once the first update bound it. */
  private bound: Optimizer | undefined;

  constructor(
    readonly workers: number,
    private readonly det: Detector,
    private readonly spec: ShardSpec,
  ) {
    const entries = det.params.entries();
    ({ offsets: this.offsets, total: this.total } = flatLayout(entries.map(([, v]) => v.size)));
    this.paramsView = new Float32Array(new SharedArrayBuffer(4 * this.total));
    this.gradsView = new Float32Array(new SharedArrayBuffer(4 * this.total * workers));
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

  private reply(w: Worker, rank: number): Promise<{ values?: Record<string, number>; norm?: number }> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: WorkerReply): void => {
        cleanup();
        if (m.ok) resolve(m);
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

  /** Writes the main thread's weights into shared memory, where every worker reads them before its shard. */
  private publish(): void {
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
        type: 'step',
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
    const results = await Promise.all(replies);
    const values: Record<string, number> = {};
    for (const r of results) for (const [k, v] of Object.entries(r.values ?? {})) values[k] = (values[k] ?? 0) + v;
    return { values };
  }

  async update(opt: Optimizer, lr: number): Promise<number> {
    if (this.failure) throw this.failure;
    if (this.bound !== opt) this.bindOptimizer(opt);
    const t = opt.tick();
    const replies = this.threads.map((w, rank) => {
      const r = this.reply(w, rank);
      w.postMessage({ type: 'update', lr, t } satisfies WorkerUpdate);
      return r;
    });
    const [first] = await Promise.all(replies);
    // The new weights, from shared memory into the main thread's network.
    assignFlat(this.det.params.entries(), this.paramsView, this.offsets);
    return first!.norm!;
  }

  /** Moves `opt`'s slots into shared memory, where the workers update them, and tells the workers where. */
  private bindOptimizer(opt: Optimizer): void {
    if (this.bound) throw new Error('a data-parallel stepper updates with one optimizer');
    const entries = this.det.params.entries();
    const k = slotCount(opt.cfg.kind);
    const slots = new SharedArrayBuffer(4 * this.total * k);
    const initialized = new SharedArrayBuffer(entries.length);
    const views = new Map(entries.map(([name, v], i) => [name, Array.from({ length: k }, (_, j) => new Float32Array(slots, 4 * (j * this.total + this.offsets[i]!), v.size))]));
    opt.bindSlots(views, new Uint8Array(initialized), new Map(entries.map(([name], i) => [name, i])));
    this.bound = opt;
    for (const w of this.threads) w.postMessage({ type: 'optimizer', cfg: opt.cfg, slots, initialized } satisfies WorkerOptimizer);
  }

  async close(): Promise<void> {
    this.bound?.unbindSlots();
    this.bound = undefined;
    await Promise.all(this.threads.map((t) => t.terminate()));
  }
}

/**
 * A stepper for `workers` shards: in-process for 1, worker threads for more.
 * `det` (on the main thread) holds the weights after every update, as
 * checkpoints and evaluation expect.
 *
 * @example
 * const stepper = await createStepper(2, det, losses, { detector: 'fcos', numClasses: 5, seed: 0, clsLoss: 'focal', regLoss: 'giou', recipe, backend: 'wasm' });
 * const { values } = await stepper.step(batch, rng);
 * const gradNorm = await stepper.update(opt, lr);
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
