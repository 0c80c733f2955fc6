import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Job as BullJob, Queue } from 'bullmq';
import { createExecutor, type Job } from '../../src/search/executor/index.js';
import { QUEUE_NAME, redisOptions } from '../../src/search/executor/redis.js';
import { cli } from '../helpers/cli.js';
import { REPO } from '../helpers/paths.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

const HANDLER = join(REPO, 'test', 'helpers', 'job-handler.mjs');
const dir = mkdtempSync(join(tmpdir(), 'autoloss-worker-'));
let redis: RedisServer;
const children: ChildProcess[] = [];

before(async () => {
  redis = await startRedis();
});
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Worker {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exit: Promise<number | null>;
}

/** Starts `autoloss worker` (the built CLI) with short lock and stall intervals, once it says it is taking jobs. */
async function startWorker(name: string): Promise<Worker> {
  const args = ['worker', '--queue', redis.url, '--name', name, '--handler', HANDLER, '--lock-duration', '1500', '--stalled-interval', '500'];
  const child = spawn(process.execPath, [join(REPO, 'bin', 'autoloss.js'), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const deadline = Date.now() + 60_000;
  while (!out.includes('taking jobs')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker ${name} did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => out, exit };
}

interface Event {
  readonly event: string;
  readonly key: string;
  readonly pid: number;
}
function events(log: string): Event[] {
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event) : [];
}

test('an unreachable Redis: exit 2 within seconds, naming the URL; a malformed URL names the flag', () => {
  const t0 = Date.now();
  const r = cli(['worker', '--queue', 'redis://127.0.0.1:1'], { timeout: 30_000 });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^autoloss: --queue redis:\/\/127\.0\.0\.1:1: cannot reach Redis there/);
  assert.ok(Date.now() - t0 < 15_000, `took ${Date.now() - t0} ms`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const bad = cli(['worker', '--queue', '127.0.0.1:6379'], { timeout: 30_000 });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--queue 127\.0\.0\.1:6379: /);
});

test('two workers share the jobs; each job runs once', async () => {
  const log = join(dir, 'share.jsonl');
  const [a, b] = await Promise.all([startWorker('share-a'), startWorker('share-b')]);
  const q = await createExecutor({ queue: redis.url });
  try {
    const jobs: Job[] = Array.from({ length: 8 }, (_, i) => ({ key: `share-${i}`, kind: 'sleep', payload: { ms: 300, value: i, log } }));
    const outcomes = await q.run(jobs);
    assert.deepEqual(outcomes.map((o) => o.result), jobs.map((_, i) => ({ value: i })));
    assert.deepEqual(new Set(outcomes.map((o) => o.worker)), new Set(['share-a', 'share-b']), 'both workers took jobs');
    const starts = events(log).filter((e) => e.event === 'start');
    assert.deepEqual(starts.map((e) => e.key).sort(), jobs.map((j) => j.key).sort(), 'each job ran exactly once');
    assert.equal(new Set(starts.map((e) => e.pid)).size, 2, 'in two processes');
  } finally {
    await q.close();
  }
  // SIGTERM: each worker finishes what it runs and exits cleanly.
  a.child.kill('SIGTERM');
  b.child.kill('SIGTERM');
  assert.deepEqual(await Promise.all([a.exit, b.exit]), [0, 0]);
});

test('kill -9 of a worker mid-job: the job finishes on the other worker, counted once, nothing lost', async () => {
  const log = join(dir, 'kill.jsonl');
  const [a, b] = await Promise.all([startWorker('kill-a'), startWorker('kill-b')]);
  const byPid = new Map([
    [a.child.pid!, a],
    [b.child.pid!, b],
  ]);
  const q = await createExecutor({ queue: redis.url });
  try {
    const jobs: Job[] = [{ key: 'long', kind: 'sleep', payload: { ms: 2500, value: 'long', log } }, ...Array.from({ length: 5 }, (_, i): Job => ({ key: `short-${i}`, kind: 'work', payload: { seed: i, rounds: 1000, log } }))];
    const running = q.run(jobs);
    let victim: Worker | undefined;
    const deadline = Date.now() + 30_000;
    while (!victim && Date.now() < deadline) {
      const start = events(log).find((e) => e.event === 'start' && e.key === 'long');
      victim = start && byPid.get(start.pid);
      if (!victim) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(victim, 'the long job started');
    victim.child.kill('SIGKILL');
    assert.equal(await victim.exit, null);
    const survivor = victim === a ? b : a;
    const survivorName = survivor === a ? 'kill-a' : 'kill-b';

    const outcomes = await running;
    assert.deepEqual(outcomes.map((o) => o.key), jobs.map((j) => j.key), 'one outcome per job, none lost');
    assert.equal(outcomes[0]!.worker, survivorName, 'the long job finished on the survivor');
    assert.deepEqual(outcomes[0]!.result, { value: 'long' });
    const long = events(log).filter((e) => e.key === 'long');
    assert.deepEqual(long.map((e) => [e.event, e.pid]), [
      ['start', victim.child.pid],
      ['start', survivor.child.pid],
      ['end', survivor.child.pid],
    ]);
    // Redis holds one completed job for the key, which stalled once.
    const queue = new Queue(QUEUE_NAME, { connection: redisOptions(redis.url) });
    try {
      const job = await BullJob.fromId(queue, 'long');
      assert.equal(await job!.getState(), 'completed');
      assert.equal(job!.stalledCounter, 1);
      for (const j of jobs) assert.equal(await (await BullJob.fromId(queue, j.key))!.getState(), 'completed', j.key);
      const counts = await queue.getJobCounts('active', 'wait', 'failed', 'delayed');
      assert.deepEqual(counts, { active: 0, wait: 0, failed: 0, delayed: 0 }, 'nothing left behind or failed');
    } finally {
      await queue.close();
    }
    assert.match(survivor.output(), /running long \(sleep\), again after its worker stopped/);
  } finally {
    await q.close();
  }
  for (const w of [a, b]) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
});
