/**
 * The body of one worker thread: imports the handler module named in
 * workerData, then runs each job it is sent and answers with its result or
 * its error. Runs in a worker thread only.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { UserError } from '../../util/errors.js';
import { loadHandler } from './handler.js';
import type { RunJob } from './types.js';
import type { ThreadReply, ThreadRequest } from './thread-messages.js';

const port = parentPort;
if (!port) throw new Error('thread-entry runs in a worker thread only');
const { handlerModule } = workerData as { handlerModule: string };

// A module that fails to load fails every job with that reason, so the pool reports it on the first job.
const handler: Promise<RunJob> = loadHandler(handlerModule);
handler.catch(() => {});

port.on('message', (msg: ThreadRequest) => {
  void (async () => {
    const t0 = performance.now();
    let reply: ThreadReply;
    try {
      const result = await (await handler)(msg.job);
      reply = { id: msg.id, ok: true, result, seconds: (performance.now() - t0) / 1000 };
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      reply = { id: msg.id, ok: false, message: err.message, stack: err.stack, userFacing: err instanceof UserError };
    }
    try {
      port.postMessage(reply);
    } catch (e) {
      // A result that cannot be cloned is the handler's bug; say so rather than hang.
      port.postMessage({ id: msg.id, ok: false, message: `job ${msg.job.key}: its result cannot be sent back (${(e as Error).message})`, userFacing: false } satisfies ThreadReply);
    }
  })();
});
