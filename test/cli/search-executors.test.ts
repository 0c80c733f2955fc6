import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cli } from '../helpers/cli.js';
import { REPO } from '../helpers/paths.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

// A tiny seeded search: the same one run inline, on 2 worker threads, and
// through Redis with two `autoloss worker` processes must log the same
// generations and the same trainings, apart from timings and who ran them.
const TINY = ['--domain', 'reg', '--population', '6', '--parents', '2', '--train-top', '2', '--generations', '1', '--seed', '5', '--seed-builtins', '--proxy-steps', '8', '--proxy-images', '16', '--proxy-val-images', '8', '--baseline-seeds', '0', '--quiet', '--json'];
const root = mkdtempSync(join(tmpdir(), 'autoloss-search-executors-'));
const cache = ['--cache-dir', join(root, 'cache')];
let redis: RedisServer;
const workers: ChildProcess[] = [];

before(async () => {
  redis = await startRedis();
});
after(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await redis?.stop();
  rmSync(root, { recursive: true, force: true });
});

const lines = (dir: string, file: string): Record<string, unknown>[] =>
  readFileSync(join(dir, file), 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** A log without its timings and workers; trainings finish in any order, so they are sorted by hash. */
function timeless(dir: string, file: string): unknown[] {
  const rows = lines(dir, file).map(({ seconds: _s, worker: _w, ...rest }) => rest);
  return file === 'trainings.jsonl' ? rows.sort((a, b) => String(a['hash']).localeCompare(String(b['hash']))) : rows;
}

/** Starts `autoloss worker` with its output in a file (a pipe nobody reads could block it). */
async function startWorker(name: string): Promise<ChildProcess> {
  const logPath = join(root, `${name}.log`);
  const fd = openSync(logPath, 'w');
  const child = spawn(process.execPath, [join(REPO, 'bin', 'autoloss.js'), 'worker', '--queue', redis.url, '--name', name], { cwd: REPO, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  workers.push(child);
  const deadline = Date.now() + 60_000;
  while (!readFileSync(logPath, 'utf8').includes('taking jobs')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker ${name} did not start:\n${readFileSync(logPath, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

test('a seeded search gives the same generations and trainings inline, on 2 threads and through the queue with 2 workers', async () => {
  const run = (name: string, extra: string[]): string => {
    const out = join(root, name);
    const r = cli(['search', ...TINY, ...cache, ...extra, '--out', out], { timeout: 900_000 });
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    return out;
  };
  const one = run('workers-1', ['--workers', '1']);
  const two = run('workers-2', ['--workers', '2']);
  await Promise.all([startWorker('e2e-a'), startWorker('e2e-b')]);
  const queued = run('queue', ['--queue', redis.url]);

  const expected = { generations: timeless(one, 'generations.jsonl'), trainings: timeless(one, 'trainings.jsonl') };
  // Trainings long enough to score above zero and apart, so that equal logs mean equal trainings.
  const fitness = expected.trainings.map((t) => (t as { fitness: number }).fitness);
  assert.ok(fitness.length >= 2 && fitness.some((f) => f > 0) && new Set(fitness).size >= 2, `fitness ${fitness.join(', ')}`);
  for (const dir of [two, queued]) {
    assert.deepEqual(timeless(dir, 'generations.jsonl'), expected.generations, `${dir}: generations.jsonl`);
    assert.deepEqual(timeless(dir, 'trainings.jsonl'), expected.trainings, `${dir}: trainings.jsonl`);
  }
  const ran = (dir: string) => new Set(lines(dir, 'trainings.jsonl').map((t) => t['worker']));
  assert.deepEqual(ran(one), new Set(['main']));
  assert.ok([...ran(two)].every((w) => /^thread-[12]$/.test(String(w))), [...ran(two)].join());
  assert.ok([...ran(queued)].every((w) => w === 'e2e-a' || w === 'e2e-b'), [...ran(queued)].join());
});

test('autoloss search with an unreachable or malformed --queue: exit 2 naming it', () => {
  const r = cli(['search', '--domain', 'reg', '--queue', 'redis://127.0.0.1:1', '--out', join(root, 'unreachable')], { timeout: 60_000 });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^autoloss: --queue redis:\/\/127\.0\.0\.1:1: cannot reach Redis there/);
  assert.ok(!existsSync(join(root, 'unreachable')), 'no run folder is left behind');
  const bad = cli(['search', '--domain', 'reg', '--queue', 'localhost:6379', '--out', join(root, 'malformed')], { timeout: 60_000 });
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /--queue localhost:6379: /);
});
