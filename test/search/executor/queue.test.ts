import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createExecutor, type Job } from '../../../src/search/executor/index.js';
import { Worker as BullWorker } from 'bullmq';
import { QueueWorker } from '../../../src/search/executor/queue-worker.js';
import { QUEUE_NAME, redisOptions } from '../../../src/search/executor/redis.js';
import { REPO } from '../../helpers/paths.js';
import { startRedis, type RedisServer } from '../../helpers/redis-server.js';
import { UserError } from '../../../src/util/errors.js';

const HANDLER = pathToFileURL(join(REPO, 'test', 'helpers', 'job-handler.mjs')).href;
const ERRORS = pathToFileURL(join(REPO, 'src', 'util', 'errors.ts')).href;
const dir = mkdtempSync(join(tmpdir(), 'autoloss-queue-'));
let redis: RedisServer;
let worker: QueueWorker;

before(async () => {
  redis = await startRedis();
  worker = await QueueWorker.start({ url: redis.url, name: 'w-test', concurrency: 2, handlerModule: HANDLER, lockDurationMs: 30_000, stalledIntervalMs: 30_000, maxStalledCount: 1 });
});
after(async () => {
  await worker?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Keys started by the handler, from its log (one entry per real run). */
function started(log: string): string[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; key: string }).filter((e) => e.event === 'start').map((e) => e.key);
}

const workJobs = (prefix: string, n: number, log?: string): Job[] => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, kind: 'work', payload: { seed: 7 * i + 1, rounds: 20_000 + 1_000 * i, log } }));

test('the queue gives the inline outcomes, in the order of the jobs, with the worker that ran each', async () => {
  const jobs = workJobs('same-', 6);
  const inline = await createExecutor({ handlerModule: HANDLER });
  const expected = (await inline.run(jobs)).map((o) => [o.key, o.result]);
  const q = await createExecutor({ queue: redis.url });
  try {
    assert.equal(q.description, `queue ${redis.url}`);
    const seen: number[] = [];
    const outcomes = await q.run(jobs, (_o, i) => seen.push(i));
    assert.deepEqual(outcomes.map((o) => [o.key, o.result]), expected);
    assert.ok(outcomes.every((o) => o.worker === 'w-test' && o.seconds >= 0));
    assert.deepEqual([...seen].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5]);
  } finally {
    await q.close();
  }
});

test('a key already in Redis is reused: not run again, in the same run or a later one', async () => {
  const log = join(dir, 'idempotent.jsonl');
  const jobs = workJobs('idem-', 4, log);
  const q1 = await createExecutor({ queue: redis.url });
  const first = await q1.run([...jobs, jobs[1]!, jobs[1]!]);
  await q1.close();
  assert.deepEqual(started(log).sort(), ['idem-0', 'idem-1', 'idem-2', 'idem-3'], 'each key ran once though idem-1 was given three times');
  assert.deepEqual(first[4], first[1]);

  // A new coordinator (a resumed search) on the same Redis: the results come back without a run.
  const q2 = await createExecutor({ queue: redis.url });
  try {
    const again = await q2.run([jobs[2]!, ...workJobs('idem-new-', 1, log), jobs[0]!]);
    assert.deepEqual(again.map((o) => o.result), [first[2]!.result, again[1]!.result, first[0]!.result]);
    assert.deepEqual(again.map((o) => o.worker), ['w-test', 'w-test', 'w-test']);
  } finally {
    await q2.close();
  }
  assert.deepEqual(started(log).sort(), ['idem-0', 'idem-1', 'idem-2', 'idem-3', 'idem-new-0']);
});

test("keys that BullMQ refuses as ids (':' or an integer) still work and stay distinct", async () => {
  const q = await createExecutor({ queue: redis.url });
  try {
    const jobs: Job[] = [
      { key: 'proxy:abc', kind: 'sleep', payload: { ms: 1, value: 'colon' } },
      { key: '12', kind: 'sleep', payload: { ms: 1, value: 'integer' } },
      { key: 'proxy_abc', kind: 'sleep', payload: { ms: 1, value: 'underscore' } },
    ];
    assert.deepEqual((await q.run(jobs)).map((o) => [o.key, o.result]), [
      ['proxy:abc', { value: 'colon' }],
      ['12', { value: 'integer' }],
      ['proxy_abc', { value: 'underscore' }],
    ]);
  } finally {
    await q.close();
  }
});

test("a failing job rejects the run naming the key, the worker and the handler's message; bad input stays bad input", async () => {
  const q = await createExecutor({ queue: redis.url });
  try {
    await assert.rejects(q.run([...workJobs('ok-', 2), { key: 'broken', kind: 'fail', payload: { message: 'weights file missing' } }]), /job broken \(fail\) failed on worker w-test: weights file missing/);
    await assert.rejects(q.run([{ key: 'baddata', kind: 'user-fail', payload: { message: '--data /nowhere: no such folder', errors: ERRORS } }]), (e: Error) => e.message === '--data /nowhere: no such folder' && e instanceof UserError);
  } finally {
    await q.close();
  }
});

test('an unreachable Redis or a malformed URL is a clear error within seconds, naming it', async () => {
  const t0 = Date.now();
  await assert.rejects(createExecutor({ queue: 'redis://127.0.0.1:1' }), (e: Error) => e instanceof UserError && /^--queue redis:\/\/127\.0\.0\.1:1: cannot reach Redis there \(.*ECONNREFUSED/.test(e.message));
  assert.ok(Date.now() - t0 < 10_000);
  await assert.rejects(createExecutor({ queue: 'localhost:6379' }), /--queue localhost:6379: the scheme is localhost, not redis/);
  await assert.rejects(createExecutor({ queue: 'redis://127.0.0.1:99999' }), /--queue redis:\/\/127\.0\.0\.1:99999: /);
  await assert.rejects(createExecutor({ queue: 'http://x' }), /--queue http:\/\/x: the scheme is http, not redis/);
});

test('a coordinator killed mid-run and started again: finished keys come back, queued and running ones are awaited, none runs twice', async () => {
  const log = join(dir, 'coordinator.jsonl');
  const jobsFile = join(dir, 'coordinator-jobs.json');
  const out = join(dir, 'coordinator-out.json');
  const jobs: Job[] = Array.from({ length: 5 }, (_, i) => ({ key: `coord-${i}`, kind: 'sleep', payload: { ms: 400, value: i, log } }));
  writeFileSync(jobsFile, JSON.stringify(jobs));
  const coordinator = () => spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test', 'helpers', 'queue-coordinator.ts'), redis.url, jobsFile, out], { cwd: REPO, stdio: 'inherit' });
  const first = coordinator();
  const ends = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"end"')).length : 0);
  const deadline = Date.now() + 60_000;
  while (ends() < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  assert.ok(!existsSync(out), 'the first coordinator died before the end');
  const doneBefore = ends();
  assert.ok(doneBefore >= 1 && doneBefore < jobs.length, `${doneBefore} of ${jobs.length} done when it died`);

  const second = coordinator();
  const code = await new Promise((r) => second.once('exit', r));
  assert.equal(code, 0);
  const outcomes = JSON.parse(readFileSync(out, 'utf8')) as { key: string; result: unknown }[];
  assert.deepEqual(outcomes.map((o) => [o.key, o.result]), jobs.map((j, i) => [j.key, { value: i }]));
  assert.deepEqual(started(log).sort(), jobs.map((j) => j.key), 'each key ran once across both coordinators');
});

test('jobs waiting with no worker connected: a notice says so, and they run once a worker comes', async () => {
  const own = await startRedis();
  const notices: string[] = [];
  const q = await createExecutor({ queue: own.url, log: (l) => notices.push(l) });
  let late: QueueWorker | undefined;
  try {
    const running = q.run([{ key: 'lonely', kind: 'sleep', payload: { ms: 1, value: 'ok' } }]);
    const deadline = Date.now() + 20_000;
    while (notices.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(notices[0] ?? '', new RegExp(`1 job waits in queue ${own.url} and no worker is connected; start one with: autoloss worker --queue ${own.url}`));
    late = await QueueWorker.start({ url: own.url, name: 'late', concurrency: 1, handlerModule: HANDLER, lockDurationMs: 30_000, stalledIntervalMs: 30_000, maxStalledCount: 1 });
    assert.deepEqual((await running).map((o) => [o.result, o.worker]), [[{ value: 'ok' }, 'late']]);
  } finally {
    await q.close();
    await late?.close();
    await own.stop();
  }
});

test('a job completed by some other program on the same queue is refused, not taken as a result', async () => {
  const own = await startRedis();
  const foreign = new BullWorker(QUEUE_NAME, async () => 42, { connection: redisOptions(own.url) });
  const q = await createExecutor({ queue: own.url, log: () => {} });
  try {
    await assert.rejects(q.run([{ key: 'alien', kind: 'sleep', payload: { ms: 1 } }]), /job alien \(sleep\) completed in queue redis:\/\/127\.0\.0\.1:\d+ without an autoloss result/);
  } finally {
    await q.close();
    await foreign.close();
    await own.stop();
  }
});
