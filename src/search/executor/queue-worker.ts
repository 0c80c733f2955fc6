import { Worker, type Job as BullJob } from 'bullmq';
import { JobError, JobUserError, ThreadPool } from './threads.js';
import { probeRedis, QUEUE_NAME, redisOptions, type QueuedJob, type StoredFailure, type StoredResult } from './redis.js';
import { UserError } from '../../util/errors.js';

export interface QueueWorkerOptions {
  /** redis://HOST:PORT */
  readonly url: string;
  /** Recorded with each result ('worker' in trainings.jsonl). */
  readonly name: string;
  /** Jobs run at once, each on its own thread. */
  readonly concurrency: number;
  /** URL of the module whose `runJob` handles jobs. */
  readonly handlerModule: string;
  /**
   * How long a job stays locked to this worker without a renewal. The lock is
   * renewed every half of it while the job runs, so it bounds how soon a dead
   * worker's job is taken up again, not how long a job may take.
   */
  readonly lockDurationMs: number;
  /** How often this worker looks for jobs whose worker died (their lock expired). */
  readonly stalledIntervalMs: number;
  /** A job whose worker died more often than this fails instead of running again. */
  readonly maxStalledCount: number;
  /** Where progress lines go. */
  readonly log?: (line: string) => void;
}

/** A process's share of the queue: takes jobs from Redis and runs them on its own threads. */
export class QueueWorker {
  private constructor(
    private readonly worker: Worker<QueuedJob, StoredResult>,
    private readonly pool: ThreadPool,
  ) {}

  /** Connects (a UserError naming the URL within seconds if Redis does not answer) and starts taking jobs. */
  static async start(o: QueueWorkerOptions): Promise<QueueWorker> {
    await probeRedis(o.url);
    const log = o.log ?? (() => {});
    const pool = new ThreadPool(o.concurrency, o.handlerModule, o.name);
    const processor = async (bj: BullJob<QueuedJob, StoredResult>): Promise<StoredResult> => {
      const { key, kind, payload } = bj.data;
      log(`${o.name}: running ${key} (${kind})${bj.stalledCounter > 0 ? `, again after its worker stopped` : ''}`);
      try {
        const done = await pool.runOne({ key, kind, payload });
        return { result: done.result, worker: o.name, seconds: done.seconds };
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        const reason = err instanceof JobError || err instanceof JobUserError ? err.reason : err.message;
        const failure: StoredFailure = { failure: { worker: o.name, userFacing: err instanceof UserError, message: reason } };
        await bj.updateProgress(failure);
        throw new Error(failure.failure.message);
      }
    };
    const worker = new Worker<QueuedJob, StoredResult>(QUEUE_NAME, processor, {
      connection: redisOptions(o.url),
      name: o.name,
      concurrency: o.concurrency,
      lockDuration: o.lockDurationMs,
      stalledInterval: o.stalledIntervalMs,
      maxStalledCount: o.maxStalledCount,
      autorun: false,
    });
    worker.on('completed', (job, r) => log(`${o.name}: done ${job.data.key} in ${r.seconds.toFixed(1)} s`));
    worker.on('failed', (job, e) => log(`${o.name}: ${job?.data.key ?? 'a job'} failed: ${e.message}`));
    worker.on('stalled', (id) => log(`${o.name}: job ${id} lost its worker; it goes back to the queue`));
    worker.on('error', (e) => log(`${o.name}: ${e.message}`));
    void worker.run();
    await worker.waitUntilReady();
    return new QueueWorker(worker, pool);
  }

  /** Stops taking jobs; with `force` false, waits for the running ones to finish first. */
  async close(force = false): Promise<void> {
    await this.worker.close(force);
    await this.pool.close();
  }
}
