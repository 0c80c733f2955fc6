import { UserError } from '../../util/errors.js';
import { InlineExecutor } from './inline.js';
import { ThreadExecutor } from './threads.js';
import type { Executor, ExecutorOptions } from './types.js';

export type { Executor, ExecutorOptions, Job, JobOutcome, RunJob } from './types.js';

/** The search's own job handler module. */
export const DEFAULT_HANDLER_MODULE = new URL('../jobs.js', import.meta.url).href;

/** An executor for the options: inline for one worker, worker threads for more, BullMQ for a queue URL. */
export async function createExecutor(o: ExecutorOptions = {}): Promise<Executor> {
  const handler = o.handlerModule ?? DEFAULT_HANDLER_MODULE;
  if (o.queue !== undefined) {
    // Loaded only here: BullMQ and ioredis are heavy, and only a queue needs them.
    const { QueueExecutor } = await import('./queue.js');
    return QueueExecutor.open(o.queue, o.log);
  }
  const workers = o.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new UserError(`--workers ${workers}: expected a positive integer`);
  return workers > 1 ? new ThreadExecutor(workers, handler) : new InlineExecutor(handler);
}
