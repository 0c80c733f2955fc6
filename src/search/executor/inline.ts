import { performance } from 'node:perf_hooks';
import { loadHandler } from './handler.js';
import type { Executor, Job, JobOutcome, RunJob } from './types.js';

/** Runs jobs one after another in this thread. */
export class InlineExecutor implements Executor {
  readonly description = 'inline';
  private handler?: Promise<RunJob>;

  constructor(private readonly handlerModule: string) {}

  async run<R>(jobs: readonly Job[], onDone?: (o: JobOutcome<R>, i: number) => void): Promise<JobOutcome<R>[]> {
    this.handler ??= loadHandler(this.handlerModule);
    const runJob = await this.handler;
    const out: JobOutcome<R>[] = [];
    for (const [i, job] of jobs.entries()) {
      const t0 = performance.now();
      const result = (await runJob(job)) as R;
      const o = { key: job.key, result, worker: 'main', seconds: (performance.now() - t0) / 1000 };
      out.push(o);
      onDone?.(o, i);
    }
    return out;
  }

  async close(): Promise<void> {}
}
