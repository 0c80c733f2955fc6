import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toPrefix } from '../../../src/render/prefix.js';
import { treeArbitrary } from '../../../src/symbolic/arbitrary.js';
import { evaluate } from '../../../src/symbolic/evaluate.js';
import { instantiate, size } from '../../../src/symbolic/node.js';
import { parseTemplate } from '../../../src/symbolic/parse/index.js';
import { ALL_RULES } from '../../../src/symbolic/rules/index.js';
import { shapeOf } from '../../../src/symbolic/shape.js';
import { closeOnBatch, guardsActive } from '../_helpers/guards.js';
import { randomInputs, seededRng } from '../_helpers/points.js';

describe('rules', () => {
  it('should have unique kebab-case names and never lengthen', () => {
    const names = new Set<string>();
    for (const r of ALL_RULES) {
      assert.match(r.name, /^[a-z]+(-[a-z]+)*$/, r.name);
      assert.ok(!names.has(r.name), `duplicate rule ${r.name}`);
      names.add(r.name);
      assert.ok(size(parseTemplate(r.rhs)) <= size(parseTemplate(r.lhs)), `${r.name} lengthens`);
    }
  });

  for (const rule of ALL_RULES) {
    it(`${rule.name}: ${rule.lhs} => ${rule.rhs} should hold at random valid points`, () => {
      const lhs = parseTemplate(rule.lhs);
      const rhs = parseTemplate(rule.rhs);
      // Dot needs a class axis; every other rule is checked in binary too.
      const domain = /Dot|Softmax/.test(rule.lhs) ? 'multi' : 'binary';
      let checked = 0;
      fc.assert(
        fc.property(treeArbitrary(domain, { maxDepth: 3 }), treeArbitrary(domain, { maxDepth: 3 }), treeArbitrary(domain, { maxDepth: 3 }), fc.integer({ min: 1, max: 1e9 }), (a, b, c, seed) => {
          const env = { a, b, c };
          const req = rule.requires;
          if (req && shapeOf(env[req.variable as 'a']!, domain) < shapeOf(env[req.than as 'a']!, domain)) return;
          const l = instantiate(lhs, env);
          const r = instantiate(rhs, env);
          const inputs = randomInputs(domain, seededRng(seed), 2, 3);
          if (guardsActive(l, domain, inputs) || guardsActive(r, domain, inputs)) return;
          checked++;
          assert.ok(closeOnBatch(evaluate(r, domain, inputs).data, evaluate(l, domain, inputs).data, 1e-9), `${toPrefix(l)} vs ${toPrefix(r)}`);
        }),
        { seed: 3, numRuns: 60 },
      );
      assert.ok(checked > 10, `only ${checked} points checked`);
    });
  }
});
