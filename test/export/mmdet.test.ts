import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toMmdet } from '../../src/export/mmdet.js';
import type { Batch } from '../../src/symbolic/batch.js';
import { BUILTIN_LOSSES, resolveLoss } from '../../src/symbolic/builtins.js';
import { DOMAINS, type Domain, type InputName } from '../../src/symbolic/domains.js';
import { evaluate, type Inputs } from '../../src/symbolic/evaluate.js';
import { parse } from '../../src/symbolic/parse/index.js';
import { assertClose } from '../helpers/close.js';
import { fixture, REPO } from '../helpers/paths.js';
import { allCombos, coefficients, comboArgs, reduceExpected, refuses, type Combo } from './_helpers/mmdet-reductions.js';
import { trainingBatches } from './_helpers/training-batches.js';

const PYTHON = '/usr/bin/python3';
const STAND_IN = join(REPO, 'test', 'export', '_helpers', 'mmdet-stand-in');

interface FixtureCase {
  domain: Domain;
  expr: string;
  inputs: Record<string, number[] | number[][]>;
  output: (number | string)[];
}
type CallResult = { value: (number | string)[]; grads: (number | string)[][] } | { error: string };

function runPython(cases: unknown[], dir: string): { mmdet: string; results: CallResult[][] } {
  const jobFile = join(dir, 'job.json');
  writeFileSync(jobFile, JSON.stringify({ stub: STAND_IN, cases }));
  const r = spawnSync(PYTHON, [join(REPO, 'test', 'export', '_helpers', 'run_mmdet_cases.py'), jobFile], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 300_000 });
  assert.equal(r.status, 0, `python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const num = (v: number | string): number => (typeof v === 'string' ? Number(v) : v);
const toBatch = (v: number[] | number[][]): Batch =>
  Array.isArray(v[0]) ? { rows: v.length, cols: (v[0] as number[]).length, data: Float64Array.from((v as number[][]).flat()) } : { rows: v.length, cols: 1, data: Float64Array.from(v as number[]) };

/** A reduced value against the oracle, with a tolerance scaled by the sum's magnitude (cancellation). */
function assertReduced(actual: (number | string)[], c: Combo, loss: readonly number[], elementWeight: readonly number[], where: string): void {
  const expected = reduceExpected(c, loss, elementWeight);
  if (c.reduction === 'none') return assertClose(actual, expected, where);
  const coef = coefficients(c, elementWeight);
  const mag = loss.reduce((s, v, k) => s + Math.abs(v * coef[k]!), 0);
  const a = num(actual[0]!);
  const e = expected[0]!;
  if (!Number.isFinite(e) || !Number.isFinite(mag)) {
    assert.ok(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)) || !Number.isFinite(a), `${where}: got ${a}, expected ${e}`);
    return;
  }
  assert.ok(Math.abs(a - e) <= 1e-9 * mag + 1e-12, `${where}: got ${a}, expected ${e}`);
}

/** Deterministic per-row weights in [0.25, 1.75). */
const rowWeights = (n: number): number[] => Array.from({ length: n }, (_, k) => 0.25 + ((k * 0.618034) % 1.5));
const probeOf = (n: number): number[] => Array.from({ length: n }, (_, k) => ((k * 7) % 5) - 1.5);

/**
 * Central differences of every output element with respect to every entry
 * of every input, from the float64 evaluator (itself pinned to the
 * fixtures). An entry where the one-sided differences of some element
 * disagree (a kink, a guard, a pole, overflow) is left out, as undefined.
 */
function jacobian(c: FixtureCase): (Float64Array | undefined)[][] {
  const names = DOMAINS[c.domain].inputs.map((i) => i.name);
  const base: Inputs = Object.fromEntries(names.map((n) => [n, toBatch(c.inputs[n]!)]));
  const { tree } = parse(c.expr, { domain: c.domain });
  const f0 = evaluate(tree, c.domain, base).data;
  return names.map((name) => {
    const b = base[name as InputName]!;
    return Array.from(b.data, (x, j) => {
      const h = 1e-6 * Math.max(1, Math.abs(x));
      const at = (d: number): Float64Array => {
        const data = Float64Array.from(b.data);
        data[j] = x + d;
        return evaluate(tree, c.domain, { ...base, [name]: { ...b, data } }).data;
      };
      const [fp, fm] = [at(h), at(-h)];
      const out = new Float64Array(f0.length);
      for (let k = 0; k < f0.length; k++) {
        const fwd = (fp[k]! - f0[k]!) / h;
        const bwd = (f0[k]! - fm[k]!) / h;
        const central = (fp[k]! - fm[k]!) / (2 * h);
        if (![fwd, bwd, central].every(Number.isFinite)) return undefined;
        if (Math.abs(fwd - bwd) > 1e-3 * (Math.abs(central) + 1) + 1e-9 * Math.abs(f0[k]!) / h) return undefined;
        out[k] = central;
      }
      return out;
    });
  });
}

describe('toMmdet', () => {
  let dir = '';
  before(() => {
    const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
    assert.equal(probe.status, 0, `${PYTHON} cannot import torch: install Debian's python3-torch (scripts/system-deps.sh does)\n${probe.stderr}`);
    dir = mkdtempSync(join(tmpdir(), 'autoloss-mmdet-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('should match every reference-values fixture, and its gradients, in every reduction, weight and avg_factor combination', () => {
    const cases = (JSON.parse(readFileSync(fixture('reference-values.json'), 'utf8')) as { cases: FixtureCase[] }).cases;
    const combos = allCombos();
    const plans = cases.map((c, k) => {
      const { tree, domain } = parse(c.expr, { domain: c.domain });
      const module = join(dir, `case_${k}.py`);
      writeFileSync(module, toMmdet(tree, domain, { name: `Case${k}` }));
      const names = DOMAINS[domain].inputs.map((i) => i.name);
      const rows = (c.inputs[names[0]!] as unknown[]).length;
      const perRow = c.output.length / rows;
      const w = rowWeights(rows);
      const elementWeight = c.output.map((_, j) => w[Math.floor(j / perRow)]!);
      const probe = probeOf(c.output.length);
      const calls = combos.map((combo) => {
        const { init, kwargs } = comboArgs(combo, w);
        return { method: 'loss_from_inputs', init, args: names.map((n) => ({ float: c.inputs[n] })), kwargs, grad: names.map((_, i) => i), probe };
      });
      return { module, class: `Case${k}`, calls, elementWeight, probe };
    });
    const { results } = runPython(plans.map(({ module, class: cls, calls }) => ({ module, class: cls, calls })), dir);
    let compared = 0;
    let skipped = 0;
    let singular = 0;
    cases.forEach((c, k) => {
      const { elementWeight, probe } = plans[k]!;
      const loss = c.output.map(num);
      const jac = jacobian(c);
      combos.forEach((combo, j) => {
        const r = results[k]![j]!;
        const where = `case ${k} (${c.expr}) ${JSON.stringify(combo)}`;
        if (refuses(combo)) {
          assert.ok('error' in r && /ValueError: avg_factor can not be used with reduction="sum"/.test(r.error), `${where}: expected mmdetection's refusal`);
          return;
        }
        assert.ok('value' in r, `${where}: ${'error' in r ? r.error : ''}`);
        assertReduced(r.value, combo, loss, elementWeight, where);
        r.grads.forEach((g, i) =>
          g.forEach((v, e) => {
            const column = jac[i]![e];
            if (column === undefined) return void skipped++;
            // 0·∞ in autograd (the derivative of Sqrt at 0 times a zero factor) is NaN where the limit is finite.
            if (!Number.isFinite(num(v))) return void singular++;
            compared++;
            const coef = coefficients(combo, elementWeight, probe);
            let fd = 0;
            let mag = 0;
            column.forEach((d, o) => {
              fd += coef[o]! * d;
              mag += Math.abs(coef[o]! * d);
            });
            const a = num(v);
            assert.ok(Math.abs(a - fd) <= 1e-5 * Math.max(1, mag), `${where} ∂/∂${DOMAINS[c.domain].inputs[i]!.name}[${e}]: autograd ${a}, finite differences ${fd}`);
          }),
        );
      });
    });
    // Kinks and guards are left out; most entries must still be compared for the check to mean anything.
    assert.ok(compared > 4 * (skipped + singular), `only ${compared} gradient entries compared, ${skipped} left out at kinks, ${singular} non-finite in autograd`);
    assert.ok(singular < 0.02 * compared, `${singular} non-finite autograd entries (of ${compared})`);
    process.stdout.write(`# gradients: ${compared} entries compared, ${skipped} left out at kinks and guards, ${singular} non-finite in autograd\n`);
  });

  it('should build the training inputs from logits, labels and IoUs (or boxes) and reduce them as mmdetection does', () => {
    const combos = allCombos();
    const cases: unknown[] = [];
    const expected: { combo: Combo; loss: number[]; elementWeight: number[]; name: string }[][] = [];
    BUILTIN_LOSSES.forEach((b, k) => {
      const { tree, domain } = parse(b.prefix, { domain: b.domain });
      const module = join(dir, `forward_${k}.py`);
      writeFileSync(module, toMmdet(tree, domain, { name: `Forward${k}` }));
      const batch = trainingBatches(domain);
      const perSample = batch.reduce(evaluate(tree, domain, batch.inputs));
      const rows = (batch.args[0] as unknown[]).length;
      const perRow = perSample.length / rows;
      const w = rowWeights(rows);
      const elementWeight = perSample.map((_, j) => w[Math.floor(j / perRow)]!);
      const mine: (typeof expected)[number] = [];
      const calls: unknown[] = [];
      const args = batch.args.map((a, i) => (batch.ints[i] ? { long: a } : { float: a }));
      const variants =
        domain === 'reg'
          ? [{ args, weight: w as number[] | number[][] }, { args, weight: w.map((v) => [v, v, v, v]) }]
          : [
              // mmdetection's quality-target pair: one IoU per sample.
              { args: [args[0], { tuple: [args[1], args[2]] }], weight: w },
              // the paper's heads: one IoU per positive sample, as a keyword.
              { args: [args[0], args[1]], extra: { pos_ious: { float: positiveIous(domain, batch.args) } }, weight: w },
            ];
      for (const v of variants)
        for (const combo of combos) {
          const { init, kwargs } = comboArgs(combo, v.weight);
          if (domain === 'binary') init['alpha'] = 0.25;
          calls.push({ method: 'forward', init, args: v.args, kwargs: { ...kwargs, ...('extra' in v ? v.extra : {}) } });
          mine.push({ combo, loss: perSample, elementWeight, name: b.name });
        }
      cases.push({ module, class: `Forward${k}`, calls });
      expected.push(mine);
    });
    const { results } = runPython(cases, dir);
    expected.forEach((list, k) =>
      list.forEach((e, j) => {
        const r = results[k]![j]!;
        const where = `${e.name} call ${j} ${JSON.stringify(e.combo)}`;
        if (refuses(e.combo)) return assert.ok('error' in r, `${where}: expected a refusal`);
        assert.ok('value' in r, `${where}: ${'error' in r ? r.error : ''}`);
        assertReduced(r.value, e.combo, e.loss, e.elementWeight, where);
      }),
    );
  });

  it('should return a zero still on the graph when no box has a positive weight, as mmdetection IoU losses do', () => {
    const module = join(dir, 'zero.py');
    writeFileSync(module, toMmdet(resolveLoss('giou').tree, 'reg', { name: 'ZeroWeight' }));
    const batch = trainingBatches('reg');
    const zeros = batch.args[0] as number[][];
    const { results } = runPython([{ module, class: 'ZeroWeight', calls: [{ method: 'forward', args: batch.args.map((a) => ({ float: a })), kwargs: { weight: { float: zeros.map(() => [0, 0, 0, 0]) } }, grad: [0] }] }], dir);
    const r = results[0]![0]!;
    assert.ok('value' in r, 'error' in r ? r.error : '');
    assert.deepEqual(r.value, [0]);
    assert.deepEqual(r.grads[0], Array(16).fill(0));
  });

  it('should refuse IoUs given twice, a pos_ious of the wrong length, a bad reduction and use_sigmoid=False', () => {
    const b = trainingBatches('binary');
    const module = join(dir, 'refusals.py');
    writeFileSync(module, toMmdet(resolveLoss('autoloss-b-cls').tree, 'binary', { name: 'Refusals' }));
    const logits = { float: b.args[0] };
    const labels = { long: b.args[1] };
    const ious = { float: b.args[2] };
    const calls = [
      { method: 'forward', args: [logits, { tuple: [labels, ious] }], kwargs: { pos_ious: { float: [0.5, 0.5, 0.5] } } },
      { method: 'forward', args: [logits, labels], kwargs: { pos_ious: { float: [0.5] } } },
      { method: 'forward', args: [logits, labels], kwargs: { reduction_override: { number: 'average' } } },
      { method: 'forward', init: { use_sigmoid: false }, args: [logits, labels] },
    ];
    const { mmdet, results } = runPython([{ module, class: 'Refusals', calls }], dir);
    const errors = results[0]!.map((r) => ('error' in r ? r.error : 'no error'));
    assert.match(errors[0]!, /either in target=\(labels, ious\) or as pos_ious, not both/);
    assert.match(errors[1]!, /pos_ious has 1 values for 3 positive samples/);
    assert.match(errors[2]!, /reduction_override must be None, 'none', 'mean' or 'sum', not 'average'/);
    assert.match(errors[3]!, /use_sigmoid must be True/);
    assert.ok(mmdet === 'real' || mmdet === 'stand-in');
  });

  it('should refuse a name that is not an identifier', () => {
    assert.throws(() => toMmdet(resolveLoss('iou').tree, 'reg', { name: 'Bad Name' }), /--name "Bad Name" is not an identifier/);
  });
});

/** The IoUs of the positive samples, in order, as the paper's heads pass them. */
function positiveIous(domain: Domain, args: unknown[]): number[] {
  const logits = args[0] as number[][];
  const labels = args[1] as number[];
  const ious = args[2] as number[];
  const nCls = logits[0]!.length;
  const bg = domain === 'multi' ? nCls - 1 : nCls;
  return labels.flatMap((l, k) => (l >= 0 && l < bg ? [ious[k]!] : []));
}
