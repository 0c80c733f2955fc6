import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toPytorch } from '../../src/export/pytorch.js';
import { BUILTIN_LOSSES } from '../../src/symbolic/builtins.js';
import { DOMAINS, type Domain } from '../../src/symbolic/domains.js';
import { evaluate } from '../../src/symbolic/evaluate.js';
import { constant, input, named, op } from '../../src/symbolic/node.js';
import { parse } from '../../src/symbolic/parse/index.js';
import { rat } from '../../src/symbolic/rational.js';
import { assertClose } from '../helpers/close.js';
import { fixture, REPO } from '../helpers/paths.js';
import { trainingBatches } from './_helpers/training-batches.js';

const PYTHON = '/usr/bin/python3';

interface FixtureCase {
  domain: Domain;
  expr: string;
  inputs: Record<string, unknown>;
  output: (number | string)[];
}

function runPython(job: unknown, dir: string): { results: ({ output: (number | string)[] } | { error: string })[] } {
  const jobFile = join(dir, 'job.json');
  writeFileSync(jobFile, JSON.stringify(job));
  const r = spawnSync(PYTHON, [join(REPO, 'test', 'export', '_helpers', 'run_torch_cases.py'), jobFile], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 300_000 });
  assert.equal(r.status, 0, `python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('toPytorch', () => {
  let dir = '';
  before(() => {
    if (!existsSync(PYTHON)) assert.fail(`${PYTHON} is missing: install Debian's python3-torch (scripts/system-deps.sh does)`);
    const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
    assert.equal(probe.status, 0, `${PYTHON} cannot import torch: install Debian's python3-torch (scripts/system-deps.sh does)\n${probe.stderr}`);
    dir = mkdtempSync(join(tmpdir(), 'autoloss-torch-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('should reproduce every reference-values fixture in float64 (elementwise entry)', () => {
    const cases = (JSON.parse(readFileSync(fixture('reference-values.json'), 'utf8')) as { cases: FixtureCase[] }).cases;
    const job = cases.map((c, k) => {
      const { tree, domain } = parse(c.expr, { domain: c.domain });
      const module = join(dir, `case_${k}.py`);
      writeFileSync(module, toPytorch(tree, domain, { name: `Case${k}` }));
      return { module, class: `Case${k}`, params: DOMAINS[domain].inputs.map((i) => i.name), inputs: c.inputs };
    });
    const { results } = runPython({ cases: job }, dir);
    assert.equal(results.length, cases.length);
    results.forEach((r, k) => {
      assert.ok('output' in r, `case ${k} (${cases[k]!.expr}): ${'error' in r ? r.error : ''}`);
      assertClose(r.output, cases[k]!.output, `case ${k} ${cases[k]!.expr}`);
    });
  });

  it('should compute the training-time inputs of SEMANTICS.md in forward (boxes, labels, IoUs)', () => {
    const job: unknown[] = [];
    const expected: number[][] = [];
    for (const b of BUILTIN_LOSSES) {
      const { tree, domain } = parse(b.prefix, { domain: b.domain });
      const module = join(dir, `fw_${b.name.replace(/-/g, '_')}.py`);
      writeFileSync(module, toPytorch(tree, domain, { name: 'Loss' }));
      const batch = trainingBatches(domain);
      job.push({ module, class: 'Loss', forward: { args: batch.args, ints: batch.ints } });
      const out = evaluate(tree, domain, batch.inputs);
      expected.push(batch.reduce(out));
    }
    const { results } = runPython({ cases: job }, dir);
    results.forEach((r, k) => {
      assert.ok('output' in r, `${BUILTIN_LOSSES[k]!.name}: ${'error' in r ? r.error : ''}`);
      assertClose(r.output, expected[k]!, BUILTIN_LOSSES[k]!.name, 1e-9, 1e-12);
    });
  });

  it('should print exact constants and π from their values, not from text', () => {
    // 1/3 and -2/7 have no decimal spelling; π is a named constant.
    const tree = op('Mul', constant(rat(1n, 3n)), op('Add', named('pi'), op('Mul', constant(rat(-2n, 7n)), input('U'))));
    const module = join(dir, 'consts.py');
    writeFileSync(module, toPytorch(tree, 'reg', { name: 'Consts' }));
    const U = [1, 2.5, 1e6];
    const { results } = runPython({ cases: [{ module, class: 'Consts', params: ['U', 'I', 'E'], inputs: { U, I: U, E: U } }] }, dir);
    const r = results[0]!;
    assert.ok('output' in r, 'error' in r ? r.error : '');
    const col = { rows: 3, cols: 1, data: Float64Array.from(U) };
    assertClose(r.output, Array.from(evaluate(tree, 'reg', { U: col, I: col, E: col }).data), 'constants', 1e-15, 0);
  });

  it('should refuse a name that is not an identifier', () => {
    const { tree } = parse('Sub(1,Div(I,U))', { domain: 'reg' });
    assert.throws(() => toPytorch(tree, 'reg', { name: 'bad name"' }), /--name "bad name\\"" is not an identifier/);
  });
});
