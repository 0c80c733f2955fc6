import { Job as BullJob, Queue, QueueEvents } from 'bullmq';
import { jobError } from './threads.js';
import { jobIdOf, probeRedis, QUEUE_NAME, redisOptions, type QueuedJob, type StoredFailure, type StoredResult } from './redis.js';
import type { Executor, Job, JobOutcome } from './types.js';

/** How often jobs still awaited are looked up, besides the completion events (which a reconnect can miss). */
const POLL_MS = 1000;
/** While jobs wait and no worker is connected, a notice says so this often. */
const NO_WORKER_NOTICE_MS = 60_000;

/** The URL without its password, for logs. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.href.replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** The failure a worker recorded as the job's progress (stored as JSON text by some backends). */
function storedFailure(progress: unknown): StoredFailure['failure'] | undefined {
  let p = progress;
  if (typeof p === 'string') {
    try {
      p = JSON.parse(p);
    } catch {
      return undefined;
    }
  }
  return (p as Partial<StoredFailure> | null)?.failure;
}

/**
 * Runs jobs as BullMQ jobs on Redis, taken by `autoloss worker` processes on
 * any machine. A job's BullMQ id is its key, so a key already completed in
 * Redis (by this run, an earlier run or a coordinator that was killed) is
 * reused without running again, and a key still waiting or running is
 * awaited, not added twice. Completed jobs are kept in Redis: they are the
 * result store.
 */
export class QueueExecutor implements Executor {
  readonly description: string;
  private readonly awaited = new Map<string, { promise: Promise<StoredResult>; resolve: (r: StoredResult) => void; reject: (e: Error) => void; job: Job }>();
  private poller?: NodeJS.Timeout;
  private closed = false;
  private polls = 0;
  private lastNotice = -Infinity;

  private constructor(
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly url: string,
    private readonly log: (line: string) => void,
  ) {
    this.description = `queue ${safeUrl(url)}`;
    const look = ({ jobId }: { jobId: string }) => void this.look(jobId);
    events.on('completed', look);
    events.on('failed', look);
  }

  /** Connects to Redis at `url` (a UserError naming it within seconds if it does not answer). */
  static async open(url: string, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<QueueExecutor> {
    await probeRedis(url);
    const connection = redisOptions(url);
    const queue = new Queue(QUEUE_NAME, { connection });
    const events = new QueueEvents(QUEUE_NAME, { connection });
    const complain = (e: Error) => process.stderr.write(`autoloss: queue ${safeUrl(url)}: ${e.message}\n`);
    queue.on('error', complain);
    events.on('error', complain);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    return new QueueExecutor(queue, events, url, log);
  }

  async run<R>(jobs: readonly Job[], onDone?: (o: JobOutcome<R>, i: number) => void): Promise<JobOutcome<R>[]> {
    const waits = jobs.map((job) => this.submit(job));
    this.poller ??= setInterval(() => {
      for (const id of this.awaited.keys()) void this.look(id);
      if (++this.polls % 3 === 1) void this.noticeIfNoWorker();
    }, POLL_MS);
    try {
      return await Promise.all(
        jobs.map(async (job, i) => {
          const stored = await (await waits[i]!);
          const o: JobOutcome<R> = { key: job.key, result: stored.result as R, worker: stored.worker, seconds: stored.seconds };
          onDone?.(o, i);
          return o;
        }),
      );
    } finally {
      if (this.awaited.size === 0) {
        clearInterval(this.poller);
        this.poller = undefined;
      }
    }
  }

  /** Enqueues a job unless Redis already has its key; resolves with its stored result once it is done. */
  private async submit(job: Job): Promise<Promise<StoredResult>> {
    const id = jobIdOf(job.key);
    const known = this.awaited.get(id);
    if (known) return known.promise;
    let resolve!: (r: StoredResult) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<StoredResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    this.awaited.set(id, { promise, resolve, reject, job });
    const existing = await BullJob.fromId(this.queue, id);
    if (!existing) {
      const data: QueuedJob = { key: job.key, kind: job.kind, payload: job.payload };
      await this.queue.add(job.kind, data, { jobId: id, attempts: 1, removeOnComplete: false, removeOnFail: false });
    } else if ((await existing.getState()) === 'failed') {
      // A failure left by an earlier run is tried again; a failure in this run is reported.
      await existing.retry('failed');
    }
    await this.look(id);
    return promise;
  }

  /** Jobs that wait for a worker that is not there would look like a hang: say so. */
  private async noticeIfNoWorker(): Promise<void> {
    if (this.awaited.size === 0 || Date.now() - this.lastNotice < NO_WORKER_NOTICE_MS) return;
    const workers = await this.queue.getWorkersCount().catch(() => -1);
    if (workers !== 0 || this.awaited.size === 0) return;
    this.lastNotice = Date.now();
    const n = this.awaited.size;
    this.log(`autoloss: ${n} ${n === 1 ? 'job waits' : 'jobs wait'} in ${this.description} and no worker is connected; start one with: autoloss worker --queue ${safeUrl(this.url)}`);
  }

  /** Settles the wait for a job if it has finished. */
  private async look(id: string): Promise<void> {
    const w = this.awaited.get(id);
    if (!w || this.closed) return;
    // The state first, then the job: a job read before it completed would lack its result.
    const state = await this.queue.getJobState(id);
    if (state !== 'completed' && state !== 'failed') return;
    const job = await BullJob.fromId(this.queue, id);
    if (!job || !this.awaited.has(id)) return;
    if (state === 'completed') {
      this.awaited.delete(id);
      const r = job.returnvalue as Partial<StoredResult> | null;
      if (r && typeof r === 'object' && 'result' in r && typeof r.worker === 'string') w.resolve(r as StoredResult);
      else w.reject(jobError(`job ${w.job.key} (${w.job.kind}) completed in ${this.description} without an autoloss result; does another program use the queue '${QUEUE_NAME}' there?`, w.job.key, true));
    } else if (state === 'failed') {
      this.awaited.delete(id);
      const f = storedFailure(job.progress);
      const where = f ? `on worker ${f.worker}` : 'in the queue';
      const message = f?.userFacing ? f.message : `job ${w.job.key} (${w.job.kind}) failed ${where}: ${job.failedReason}`;
      w.reject(jobError(message, w.job.key, f?.userFacing ?? false));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    for (const w of this.awaited.values()) w.reject(new Error('the queue executor was closed'));
    this.awaited.clear();
    await Promise.all([this.events.close(), this.queue.close()]);
  }
}
