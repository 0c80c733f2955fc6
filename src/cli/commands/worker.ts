import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../errors.js';
import { nonNegativeInt, positiveInt } from '../options.js';

interface WorkerFlags {
  queue: string;
  concurrency: number;
  name?: string;
  handler?: string;
  lockDuration: number;
  stalledInterval: number;
  maxStalled: number;
  quiet?: boolean;
}

/** A handler given as a path or a file: URL. */
function handlerUrl(spec: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec) && !/^[a-z]:[\\/]/i.test(spec)) return spec;
  const path = resolve(spec);
  if (!existsSync(path)) throw new UserError(`--handler ${spec}: no such file`);
  return pathToFileURL(path).href;
}

export function register(program: Command): void {
  program
    .command('worker')
    .description("take search jobs (checks, proxy trainings) from a BullMQ queue on Redis and run them; start one on each machine of a '--queue' search")
    .requiredOption('--queue <url>', 'the Redis the search uses: redis://HOST:PORT')
    .option('--concurrency <n>', 'jobs at once, each on its own thread', positiveInt, 1)
    .option('--name <name>', 'recorded with each result (default: HOST-PID)')
    .option('--handler <module>', "module whose runJob(job), or the runner its createRunJob() returns, runs the jobs (default: the search's own)")
    .option('--lock-duration <ms>', "a job's lock, renewed every half of it while it runs; a dead worker's job runs again after about this", positiveInt, 60_000)
    .option('--stalled-interval <ms>', 'how often to look for jobs whose worker died', positiveInt, 30_000)
    .option('--max-stalled <n>', 'times a job may lose its worker before it fails', nonNegativeInt, 2)
    .option('-q, --quiet', 'no progress output')
    .action(async (flags: WorkerFlags) => {
      const { DEFAULT_HANDLER_MODULE } = await import('../../search/executor/index.js');
      const { QueueWorker } = await import('../../search/executor/queue-worker.js');
      const name = flags.name ?? `${hostname()}-${process.pid}`;
      const log = flags.quiet ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
      const worker = await QueueWorker.start({
        url: flags.queue,
        name,
        concurrency: flags.concurrency,
        handlerModule: flags.handler ? handlerUrl(flags.handler) : DEFAULT_HANDLER_MODULE,
        lockDurationMs: flags.lockDuration,
        stalledIntervalMs: flags.stalledInterval,
        maxStalledCount: flags.maxStalled,
        log,
      });
      log(`${name}: taking jobs from ${flags.queue} (${flags.concurrency} at once); Ctrl-C to stop`);
      await new Promise<void>((done) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals) => {
          if (stopping) {
            // A second signal: leave now; the running jobs' locks expire and other workers take them.
            log(`${name}: ${signal} again, stopping now`);
            process.exit(130);
          }
          stopping = true;
          log(`${name}: ${signal}: finishing the running jobs, then stopping (${signal} again to stop now)`);
          void worker.close().then(done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
