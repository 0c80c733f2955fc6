/**
 * The search's job handler: every executor (inline, worker threads, BullMQ
 * workers) imports this module by URL and calls `createRunJob` once per worker. A job's result
 * depends on its payload alone. Training code is imported only by the jobs
 * that train, so a worker that only checks candidates stays light.
 */
import type { Job, RunJob } from './executor/types.js';
import type { PointCache } from '../verify/verify-loss.js';
import type { CheckPayload } from './checks.js';
import type { ProxySettings, Slot } from './proxy.js';

/** The job kinds of the search, with their payloads. */
export interface JobPayloads {
  /** Convergence properties, then the simulation: `CheckResult`. */
  readonly check: CheckPayload;
  /** One proxy training of a loss in its slot: `ProxyResult`. */
  readonly proxy: { readonly settings: ProxySettings; readonly slot: Slot; readonly loss: string; readonly cacheDir: string };
}

export type JobKind = keyof JobPayloads;

/** Builds a job of the search (a typed helper for the coordinator). */
export function makeJob<K extends JobKind>(kind: K, key: string, payload: JobPayloads[K]): Job<JobPayloads[K]> {
  return { key, kind, payload };
}

/**
 * One worker's job runner: it keeps the points drawn for the property checks
 * from one candidate to the next.
 *
 * @example
 * const runJob = createRunJob();
 * await runJob({ key: 'check:…', kind: 'check', payload: { prefix: 'Sub(1,Div(I,U))', domain: 'reg', checks: DEFAULT_CHECKS } });
 */
export function createRunJob(): RunJob {
  let points: PointCache | undefined;
  return async (job) => {
    switch (job.kind as JobKind) {
      case 'check': {
        const { runChecks } = await import('./checks.js');
        points ??= new (await import('../verify/verify-loss.js')).PointCache();
        return runChecks(job.payload as CheckPayload, points);
      }
      case 'proxy': {
        const p = job.payload as JobPayloads['proxy'];
        const { trainProxy } = await import('./proxy.js');
        return trainProxy(p.settings, p.slot, p.loss, p.cacheDir);
      }
      default:
        throw new Error(`unknown search job kind '${job.kind}' (job ${job.key})`);
    }
  };
}
