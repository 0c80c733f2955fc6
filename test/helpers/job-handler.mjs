// A job handler for the executor tests (plain JavaScript, so worker threads
// and built `autoloss worker` processes load it without a TypeScript loader).
// Kinds: 'work' (deterministic CPU work on the payload), 'sleep', 'fail',
// 'user-fail' (a UserError), 'exit' (ends its thread or process). When the payload names a
// `log` file, each start and end is appended to it as a JSON line, so a test
// can count how often a key really ran, and where.
import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

function record(log, event, job) {
  if (log) appendFileSync(log, `${JSON.stringify({ event, key: job.key, pid: process.pid, thread: threadId })}\n`);
}

/** A value that depends on the seed alone: many rounds of an integer hash. */
function work(seed, rounds) {
  let h = (seed >>> 0) ^ 0x9e3779b9;
  for (let i = 0; i < rounds; i++) h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) ^ i;
  return h >>> 0;
}

export async function runJob(job) {
  const p = job.payload ?? {};
  record(p.log, 'start', job);
  let result;
  switch (job.kind) {
    case 'work':
      result = { value: work(p.seed, p.rounds ?? 200_000), seed: p.seed };
      break;
    case 'sleep':
      await new Promise((r) => setTimeout(r, p.ms));
      result = { value: p.value ?? null };
      break;
    case 'fail':
      throw new Error(p.message ?? 'the handler failed');
    case 'user-fail': {
      // The project's own UserError, from the module URL the test gives (the sources or dist/).
      const { UserError } = await import(p.errors);
      throw new UserError(p.message ?? 'bad input');
    }
    case 'exit':
      process.exit(p.code ?? 3);
      break;
    default:
      throw new Error(`unknown job kind ${job.kind}`);
  }
  record(p.log, 'end', job);
  return result;
}
