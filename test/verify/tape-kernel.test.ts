import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { treeArbitrary } from '../../src/symbolic/arbitrary.js';
import { lower } from '../../src/symbolic/lower.js';
import { compileKernel, type NumArray } from '../../src/symbolic/compile-js.js';
import { DOMAINS, type Domain, type InputName } from '../../src/symbolic/domains.js';
import { evaluate } from '../../src/symbolic/evaluate.js';
import { inputsFromJson } from '../../src/symbolic/inputs-json.js';
import { parse } from '../../src/symbolic/parse/index.js';
import { toPrefix } from '../../src/render/prefix.js';
import { tapeKernel } from '../../src/verify/tape-kernel.js';
import { makeRng as seededRng } from '../../src/util/rng.js';
import { fixture } from '../helpers/paths.js';

interface Case {
  domain: Domain;
  expr: string;
  inputs: unknown;
}
const cases = (JSON.parse(readFileSync(fixture('reference-values.json'), 'utf8')) as { cases: Case[] }).cases;

describe('tapeKernel', () => {
  it('should give exactly evaluate()\'s values on every reference-values fixture', () => {
    for (const [k, c] of cases.entries()) {
      const { tree, domain } = parse(c.expr, { domain: c.domain });
      const inputs = inputsFromJson(domain, c.inputs);
      const first = Object.values(inputs)[0]!;
      const kernel = tapeKernel(lower(tree, domain, { wrt: DOMAINS[domain].inputs.map((i) => i.name) }));
      const value = new Float64Array(first.rows * first.cols);
      kernel.run(Object.fromEntries(Object.entries(inputs).map(([n, b]) => [n, b.data])), first.rows, first.cols, { value });
      assert.deepEqual(value, evaluate(tree, domain, inputs).data, `case ${k} ${c.expr}`);
    }
  });

  for (const domain of ['reg', 'binary', 'multi'] as const) {
    it(`should give the generated kernel's gradients on random ${domain} trees`, () => {
      const rand = seededRng(domain.length);
      const [rows, cols] = domain === 'reg' ? [4, 1] : [3, 5];
      const wrt = DOMAINS[domain].inputs.map((i) => i.name);
      for (const tree of fc.sample(treeArbitrary(domain, { maxDepth: 5 }), { seed: 7, numRuns: 200 })) {
        const inputs = Object.fromEntries(wrt.map((w) => [w, Float64Array.from({ length: rows * cols }, () => (domain === 'reg' ? 0.5 + 4 * rand() : 4 * rand() - 2))])) as Record<InputName, NumArray>;
        const seed = Float64Array.from({ length: rows * cols }, () => rand());
        const outs = [tapeKernel(lower(tree, domain, { wrt })), compileKernel(tree, domain, { wrt })].map((k) => {
          const grads = Object.fromEntries(wrt.map((w) => [w, new Float64Array(rows * cols)]));
          const value = new Float64Array(rows * cols);
          k.run(inputs, rows, cols, { value, grads }, seed);
          return { value, grads };
        });
        const [a, b] = outs as [(typeof outs)[0], (typeof outs)[0]];
        const same = (x: number, y: number) => Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)) || Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(x));
        a.value.forEach((v, j) => assert.ok(same(v, b.value[j]!), `${toPrefix(tree)} value[${j}]: ${v} vs ${b.value[j]}`));
        for (const w of wrt) a.grads[w]!.forEach((v, j) => assert.ok(same(v, b.grads[w]![j]!), `${toPrefix(tree)} d/d${w}[${j}]: ${v} vs ${b.grads[w]![j]}`));
      }
    });
  }
});
