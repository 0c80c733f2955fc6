import { Worker } from 'node:worker_threads';
import { UserError } from '../../util/errors.js';
import type { ThreadReply, ThreadRequest } from './thread-messages.js';
import type { Executor, Job, JobOutcome } from './types.js';

/** A job whose handler failed on a fault of the program, or whose thread died. */
export class JobError extends Error {
  override readonly name = 'JobError';
  constructor(
    message: string,
    readonly key: string,
    readonly remoteStack?: string,
    /** The handler's own message (or why the thread died), without the job and thread around it. */
    readonly reason = message,
  ) {
    super(message);
    if (remoteStack) this.stack = `${this.stack}\n--- in the worker ---\n${remoteStack}`;
  }
}

/** A job whose handler refused its input (a UserError there): shown to the user as it is. */
export class JobUserError extends UserError {
  override readonly name = 'JobUserError';
  constructor(
    message: string,
    readonly key: string,
  ) {
    super(message);
  }

  /** The handler's own message. */
  get reason(): string {
    return this.message;
  }
}

/**
 * The error a failed job rejects with: a JobUserError when the handler's
 * error was a UserError (`userFacing`, as a worker reports it), else a JobError.
 */
export function jobError(message: string, key: string, userFacing: boolean, remoteStack?: string, reason?: string): JobError | JobUserError {
  return userFacing ? new JobUserError(reason ?? message, key) : new JobError(message, key, remoteStack, reason);
}

interface Task {
  readonly job: Job;
  readonly run: object;
  readonly resolve: (o: JobOutcome) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  readonly name: string;
  worker?: Worker;
  task?: Task;
}

/**
 * Where a worker thread starts. The built CLI starts `dist/…/thread-entry.js`
 * as is. Tests and `tsx` run this file as TypeScript; Node 20 does not apply
 * an `--import` loader to a worker's own entry, so the thread starts from a
 * one-line module that registers tsx and then imports `thread-entry.ts`.
 */
function threadEntry(handlerModule: string): URL {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './thread-entry.ts' : './thread-entry.js', import.meta.url);
  if (!fromSource && !/\.[cm]?ts$/.test(handlerModule)) return entry;
  let api: string;
  try {
    api = import.meta.resolve('tsx/esm/api');
  } catch {
    throw new UserError(`handler module ${handlerModule} is TypeScript, and tsx (which worker threads need to load it) is not installed`);
  }
  const code = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(entry.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/**
 * A fixed number of worker threads, each importing the handler module once
 * and running one job at a time. Threads start on first use; idle threads do
 * not keep the process alive, so a pool that is never closed cannot hang it.
 */
export class ThreadPool {
  private readonly slots: Slot[];
  private readonly queue: Task[] = [];
  private nextId = 0;
  private closed = false;
  private readonly entry: URL;

  constructor(
    readonly size: number,
    private readonly handlerModule: string,
    prefix = 'thread',
  ) {
    if (!Number.isInteger(size) || size < 1) throw new UserError(`--workers ${size}: expected a positive integer`);
    this.entry = threadEntry(handlerModule);
    this.slots = Array.from({ length: size }, (_, i) => ({ name: `${prefix}-${i + 1}` }));
  }

  /** Runs one job on the next free thread. `run` groups jobs so that `cancel(run)` can drop those not yet started. */
  runOne(job: Job, run: object = {}): Promise<JobOutcome> {
    if (this.closed) return Promise.reject(new Error('the thread pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job, run, resolve, reject });
      this.pump();
    });
  }

  /** Drops the queued jobs of one run (after one of its jobs failed); jobs already running finish and are ignored. */
  cancel(run: object): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.run === run) this.queue.splice(i, 1);
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.task || this.queue.length === 0) continue;
      const task = this.queue.shift()!;
      const worker = slot.worker ?? this.spawn(slot);
      slot.task = task;
      worker.ref();
      worker.postMessage({ id: ++this.nextId, job: task.job } satisfies ThreadRequest);
    }
  }

  private spawn(slot: Slot): Worker {
    const worker = new Worker(this.entry, {
      workerData: { handlerModule: this.handlerModule },
      name: slot.name,
      // The parent's flags, less those that only make sense for a main script (node -e … --input-type).
      execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')),
    });
    slot.worker = worker;
    worker.on('message', (reply: ThreadReply) => {
      const task = slot.task;
      slot.task = undefined;
      if (!task) return;
      if (reply.ok) task.resolve({ key: task.job.key, result: reply.result, worker: slot.name, seconds: reply.seconds });
      else {
        const message = reply.userFacing ? reply.message : `job ${task.job.key} (${task.job.kind}) failed on ${slot.name}: ${reply.message}`;
        task.reject(jobError(message, task.job.key, reply.userFacing, reply.stack, reply.message));
      }
      this.idleOrNext(slot);
    });
    const died = (why: string, stack?: string): void => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      const task = slot.task;
      slot.task = undefined;
      task?.reject(new JobError(`job ${task.job.key} (${task.job.kind}): ${slot.name} ${why}`, task.job.key, stack, `its thread ${why}`));
      if (!this.closed) this.pump();
    };
    worker.on('error', (e) => {
      died(`died: ${e.message}`, e.stack);
      void worker.terminate();
    });
    worker.on('exit', (code) => died(`exited with code ${code} while running it`));
    return worker;
  }

  private idleOrNext(slot: Slot): void {
    if (this.queue.length > 0) this.pump();
    else slot.worker?.unref();
  }

  /** Stops every thread; queued jobs are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new Error('the thread pool was closed'));
    const workers = this.slots.map((s) => s.worker).filter((w): w is Worker => !!w);
    for (const s of this.slots) s.worker = undefined;
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Runs jobs on N worker threads; outcomes come back in the order of the jobs. */
export class ThreadExecutor implements Executor {
  readonly description: string;
  private readonly pool: ThreadPool;

  constructor(workers: number, handlerModule: string) {
    this.pool = new ThreadPool(workers, handlerModule);
    this.description = `${workers} worker threads`;
  }

  async run<R>(jobs: readonly Job[], onDone?: (o: JobOutcome<R>, i: number) => void): Promise<JobOutcome<R>[]> {
    const run = {};
    try {
      return await Promise.all(
        jobs.map(async (job, i) => {
          const o = (await this.pool.runOne(job, run)) as JobOutcome<R>;
          onDone?.(o, i);
          return o;
        }),
      );
    } catch (e) {
      this.pool.cancel(run);
      throw e;
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
