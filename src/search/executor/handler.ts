/**
 * Loading a handler module. A module exports `runJob(job)`, or
 * `createRunJob()` when its jobs keep state between them (caches of drawn
 * points, say): each worker then calls it once and owns what it returns, so
 * no state lives in the module itself.
 */
import type { RunJob } from './types.js';

/**
 * The job runner of one worker from the module at `url`.
 *
 * @example const run = await loadHandler(new URL('../jobs.js', import.meta.url).href);
 */
export async function loadHandler(url: string): Promise<RunJob> {
  const m = (await import(url)) as { runJob?: unknown; createRunJob?: unknown };
  if (typeof m.createRunJob === 'function') return (m.createRunJob as () => RunJob)();
  if (typeof m.runJob === 'function') return m.runJob as RunJob;
  throw new Error(`handler module ${url} exports no runJob or createRunJob function`);
}
