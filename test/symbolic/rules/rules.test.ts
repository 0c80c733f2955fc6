import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toPrefix } from '../../../src/render/prefix.js';
import { treeArbitrary } from '../../../src/symbolic/arbitrary.js';
import { evaluate } from '../../../src/symbolic/evaluate.js';
import type { Domain } from '../../../src/symbolic/domains.js';
import { constant, instantiate, size, type Node } from '../../../src/symbolic/node.js';
import * as R from '../../../src/symbolic/rational.js';
import { isReciprocal, raise } from '../../../src/symbolic/simplify/spelling.js';
import { parseTemplate } from '../../../src/symbolic/parse/index.js';
import { ALL_RULES, requirementHolds } from '../../../src/symbolic/rules/index.js';
import { closeOnBatch, guardsActive } from '../_helpers/guards.js';
import { randomInputs, seededRng } from '../_helpers/points.js';

/** A small tree, or often a constant (some rules apply to constants only). */
const binding = (domain: Domain) => fc.oneof(treeArbitrary(domain, { maxDepth: 3 }), fc.constantFrom(constant(2), constant(-3), constant(R.rat(1, 4))));

describe('rules', () => {
  it('should have unique kebab-case names and never lengthen', () => {
    const names = new Set<string>();
    for (const r of ALL_RULES) {
      assert.match(r.name, /^[a-z]+(-[a-z]+)*$/, r.name);
      assert.ok(!names.has(r.name), `duplicate rule ${r.name}`);
      names.add(r.name);
      const [lhs, rhs] = [parseTemplate(r.lhs), parseTemplate(r.rhs)];
      assert.ok(size(rhs) <= size(lhs), `${r.name} lengthens`);
      assert.ok(size(raise(rhs)) <= size(raise(lhs)), `${r.name} lengthens in the language's spelling`);
    }
  });

  it('should be written in the lowered spelling: no Sub, Div only as the reciprocal', () => {
    const check = (t: Node, name: string): void => {
      if (t.kind !== 'op') return;
      assert.ok(t.op !== 'Sub' && (t.op !== 'Div' || isReciprocal(t)), `${name}: ${toPrefix(t)}`);
      t.args.forEach((a) => check(a, name));
    };
    for (const r of ALL_RULES) {
      check(parseTemplate(r.lhs), r.name);
      check(parseTemplate(r.rhs), r.name);
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
        fc.property(binding(domain), binding(domain), binding(domain), fc.integer({ min: 1, max: 1e9 }), (a, b, c, seed) => {
          const env = { a, b, c };
          if (!requirementHolds(rule.requires, env, domain)) return;
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
