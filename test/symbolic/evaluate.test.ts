import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Domain } from '../../src/symbolic/domains.js';
import { evaluate, EvalError } from '../../src/symbolic/evaluate.js';
import { inputsFromJson } from '../../src/symbolic/inputs-json.js';
import { parse } from '../../src/symbolic/parse/index.js';
import { input, op } from '../../src/symbolic/node.js';
import { assertClose } from '../helpers/close.js';
import { fixture } from '../helpers/paths.js';

interface Case {
  domain: Domain;
  expr: string;
  inputs: unknown;
  shape: number[];
  output: (number | string)[];
}
const cases = (JSON.parse(readFileSync(fixture('reference-values.json'), 'utf8')) as { cases: Case[] }).cases;

describe('evaluate', () => {
  it('should reproduce all reference-values fixtures (rel 1e-9 / abs 1e-12, non-finite at the same places)', () => {
    assert.equal(cases.length, 124);
    for (const [k, c] of cases.entries()) {
      const { tree, domain } = parse(c.expr, { domain: c.domain });
      const out = evaluate(tree, domain, inputsFromJson(domain, c.inputs));
      const shape = domain === 'reg' ? [out.rows] : [out.rows, out.cols];
      assert.deepEqual(shape, c.shape, `case ${k} ${c.expr}: shape`);
      assertClose(Array.from(out.data), c.output, `case ${k} ${c.expr}`);
    }
  });

  it('should apply the guards: Div by 0 is a/1e-20, Log(0) is ln(1e-20), Exp clamps at 88', () => {
    const b = (v: number[]) => ({ rows: v.length, cols: 1, data: Float64Array.from(v) });
    const run = (e: string, U: number[]) => Array.from(evaluate(parse(e, { domain: 'reg' }).tree, 'reg', { U: b(U) }).data);
    assert.deepEqual(run('Div(1,U)', [0]), [1e20]);
    assert.deepEqual(run('Log(U)', [0]), [Math.log(1e-20)]);
    assert.deepEqual(run('Exp(U)', [1000]), [Math.exp(88)]);
    assert.ok(Number.isNaN(run('Log(U)', [-1])[0]!));
    assert.ok(Number.isNaN(run('Sqrt(U)', [-1])[0]!));
  });

  it('should keep the class axis in Dot and broadcast it back over classes', () => {
    const m = (rows: number[][]) => ({ rows: rows.length, cols: rows[0]!.length, data: Float64Array.from(rows.flat()) });
    const out = evaluate(parse('Add(Dot(X,Y),X)', { domain: 'multi' }).tree, 'multi', { X: m([[1, 2], [3, 4]]), Y: m([[1, 0], [0, 1]]) });
    assert.deepEqual(Array.from(out.data), [2, 3, 7, 8]);
  });

  it('should reject Softmax in a domain without a class axis with a clear error', () => {
    const tree = op('Softmax', input('U'));
    assert.throws(() => evaluate(tree, 'reg', { U: { rows: 1, cols: 1, data: Float64Array.of(1) } }), (e: unknown) => e instanceof EvalError && /class axis/.test(e.message));
  });

  it('should name the input and position of a malformed value', () => {
    assert.throws(() => inputsFromJson('multi', { X: [[1, 'a']] }), /X\[0\]\[1\] is not a number/);
    assert.throws(() => inputsFromJson('reg', { X: [1] }), /X is not an input of domain reg/);
  });
});
