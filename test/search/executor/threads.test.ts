import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createExecutor, type Job } from '../../../src/search/executor/index.js';
import { UserError } from '../../../src/util/errors.js';
import { REPO } from '../../helpers/paths.js';

const HANDLER = pathToFileURL(join(REPO, 'test', 'helpers', 'job-handler.mjs')).href;
const ERRORS = pathToFileURL(join(REPO, 'src', 'util', 'errors.ts')).href;
const dir = mkdtempSync(join(tmpdir(), 'autoloss-threads-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const workJobs = (n: number, log?: string): Job[] => Array.from({ length: n }, (_, i) => ({ key: `w${i}`, kind: 'work', payload: { seed: 1000 + i, rounds: 50_000 + 7_919 * i, log } }));

test('2 and 3 worker threads give the inline outcomes, in the order of the jobs', async () => {
  const jobs = workJobs(9);
  const inline = await createExecutor({ handlerModule: HANDLER });
  const expected = (await inline.run(jobs)).map((o) => [o.key, o.result]);
  await inline.close();
  for (const workers of [2, 3]) {
    const ex = await createExecutor({ workers, handlerModule: HANDLER });
    const seen: number[] = [];
    try {
      const outcomes = await ex.run(jobs, (_o, i) => seen.push(i));
      assert.deepEqual(outcomes.map((o) => [o.key, o.result]), expected);
      assert.deepEqual([...seen].sort((a, b) => a - b), jobs.map((_, i) => i), 'onDone once per job');
      assert.ok(outcomes.every((o) => /^thread-[1-3]$/.test(o.worker) && o.seconds >= 0));
      assert.equal(ex.description, `${workers} worker threads`);
    } finally {
      await ex.close();
    }
  }
});

test('the jobs really run on distinct threads at the same time', async () => {
  const log = join(dir, 'parallel.jsonl');
  const ex = await createExecutor({ workers: 2, handlerModule: HANDLER });
  try {
    // Both threads started first, so that a slow start on a busy machine cannot serialise the sleeps.
    await ex.run(workJobs(2));
    const jobs: Job[] = [0, 1].map((i) => ({ key: `s${i}`, kind: 'sleep', payload: { ms: 1000, value: i, log } }));
    const outcomes = await ex.run(jobs);
    assert.deepEqual(outcomes.map((o) => o.result), [{ value: 0 }, { value: 1 }]);
    assert.notEqual(outcomes[0]!.worker, outcomes[1]!.worker);
    const events = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; thread: number });
    // Both started before either ended: they overlapped.
    assert.deepEqual(events.map((e) => e.event), ['start', 'start', 'end', 'end']);
    assert.equal(new Set(events.map((e) => e.thread)).size, 2);
    assert.ok(events.every((e) => e.thread !== 0), 'not on the main thread');
  } finally {
    await ex.close();
  }
});

test("a job's error rejects the run with the job's key and the handler's message; the pool still works after", async () => {
  const ex = await createExecutor({ workers: 2, handlerModule: HANDLER });
  try {
    const jobs: Job[] = [...workJobs(3), { key: 'bad', kind: 'fail', payload: { message: 'no such proxy' } }, ...workJobs(2)];
    await assert.rejects(ex.run(jobs), (e: Error) => /job bad \(fail\) failed on thread-\d: no such proxy/.test(e.message));
    await assert.rejects(ex.run([{ key: 'u', kind: 'user-fail', payload: { message: '--data x: no such folder', errors: ERRORS } }]), (e: Error) => e.message === '--data x: no such folder' && e instanceof UserError);
    const again = await ex.run(workJobs(2));
    assert.equal(again.length, 2);
  } finally {
    await ex.close();
  }
});

test('a thread that dies mid-job is reported, not waited for, and is replaced', async () => {
  const ex = await createExecutor({ workers: 2, handlerModule: HANDLER });
  try {
    await assert.rejects(ex.run([{ key: 'x', kind: 'exit', payload: { code: 7 } }]), /job x \(exit\): thread-1 exited with code 7/);
    assert.equal((await ex.run(workJobs(3))).length, 3);
  } finally {
    await ex.close();
  }
});

test('a handler module that does not load fails the first job with the reason', async () => {
  const missing = pathToFileURL(join(dir, 'no-such-handler.mjs')).href;
  const ex = await createExecutor({ workers: 2, handlerModule: missing });
  try {
    await assert.rejects(ex.run(workJobs(1)), /no-such-handler\.mjs/);
  } finally {
    await ex.close();
  }
});

test('bad worker counts are refused by name', async () => {
  await assert.rejects(createExecutor({ workers: 0, handlerModule: HANDLER }), /--workers 0: expected a positive integer/);
  await assert.rejects(createExecutor({ workers: 1.5, handlerModule: HANDLER }), /--workers 1.5/);
});
