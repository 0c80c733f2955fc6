import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toPrefix } from '../../src/render/prefix.js';
import { treeArbitrary } from '../../src/symbolic/arbitrary.js';
import { derivative } from '../../src/symbolic/derivative.js';
import { DOMAINS, DOMAIN_NAMES, type Domain, type InputName } from '../../src/symbolic/domains.js';
import { evaluate, evaluateRaw, type Inputs } from '../../src/symbolic/evaluate.js';
import type { Node } from '../../src/symbolic/node.js';
import { parse } from '../../src/symbolic/parse/index.js';
import { randomInputs, seededRng } from './_helpers/points.js';

function withValue(inputs: Inputs, name: InputName, k: number, v: number): Inputs {
  const b = inputs[name]!;
  const data = Float64Array.from(b.data);
  data[k] = v;
  return { ...inputs, [name]: { ...b, data } };
}

/**
 * Central difference of Σ tree at element k of `name`, or undefined where it
 * is not smooth or not finite. Differences are taken element by element
 * before summing, so huge unrelated elements do not swamp them.
 */
function centralDifference(tree: Node, domain: Domain, inputs: Inputs, name: InputName, k: number): number | undefined {
  const x = inputs[name]!.data[k]!;
  const f = (h: number) => evaluateRaw(tree, domain, withValue(inputs, name, k, x + h)).data;
  const diff = (p: Float64Array, m: Float64Array) => p.reduce((s, v, j) => s + (v - m[j]!), 0);
  const h = 1e-4 * Math.max(1, Math.abs(x));
  const f0 = f(0);
  const [fp, fm, fp2, fm2] = [f(h), f(-h), f(h / 2), f(-h / 2)];
  const d1 = diff(fp, fm) / (2 * h);
  const d2 = diff(fp2, fm2) / h;
  if (![d1, d2].every(Number.isFinite) || Math.abs(d1) > 1e6) return undefined;
  const tol = 1e-3 * (1 + Math.abs(d2));
  // Disagreement between step sizes, or between the one-sided slopes, means a kink or a guard nearby.
  if (Math.abs(d1 - d2) > tol || Math.abs(diff(fp, f0) / h - diff(f0, fm) / h) > 10 * tol) return undefined;
  return (4 * d2 - d1) / 3;
}

/** True when a Div denominator or Log argument is near 0 somewhere: there the guards, not the exact function, decide. */
function nearGuard(tree: Node, domain: Domain, inputs: Inputs): boolean {
  const guarded: Node[] = [];
  const walk = (n: Node): void => {
    if (n.kind !== 'op') return;
    if (n.op === 'Div') guarded.push(n.args[1]!);
    if (n.op === 'Log') guarded.push(n.args[0]!);
    n.args.forEach(walk);
  };
  walk(tree);
  return guarded.some((g) => evaluateRaw(g, domain, inputs).data.some((v) => Math.abs(v) < 1e-6));
}

function checkAgainstDifferences(tree: Node, domain: Domain, inputs: Inputs): number {
  let checked = 0;
  if (nearGuard(tree, domain, inputs)) return 0;
  for (const spec of DOMAINS[domain].inputs) {
    const d = derivative(tree, spec.name, domain);
    const exact = evaluate(d, domain, inputs);
    for (let k = 0; k < exact.data.length; k++) {
      const fd = centralDifference(tree, domain, inputs, spec.name, k);
      if (fd === undefined) continue;
      const got = exact.data[k]!;
      // Beyond the Exp clamp the guarded function is flat while the exact derivative is huge.
      if (!(Math.abs(got) < 1e6)) continue;
      assert.ok(Math.abs(got - fd) <= 1e-5 * (1 + Math.abs(fd)), `d/d${spec.name}[${k}] of ${toPrefix(tree)}: exact ${got}, differences ${fd}; derivative ${toPrefix(d)}`);
      checked++;
    }
  }
  return checked;
}

describe('derivative', () => {
  it('should give the textbook derivatives of small expressions', () => {
    const d = (e: string, wrt: InputName, domain: Domain) => toPrefix(derivative(parse(e, { domain }).tree, wrt, domain));
    assert.equal(d('Mul(U,U)', 'U', 'reg'), 'Add(U,U)');
    assert.equal(d('Div(I,U)', 'I', 'reg'), 'Div(1,U)');
    assert.equal(d('Add(I,3)', 'U', 'reg'), '0');
    assert.equal(d('Sin(U)', 'U', 'reg'), 'Cos(U)');
  });

  it('should give the subgradient 0 of Relu and Abs at 0', () => {
    const inputs = { U: { rows: 1, cols: 1, data: Float64Array.of(0) } };
    for (const e of ['Relu(U)', 'Abs(U)']) {
      const d = derivative(parse(e, { domain: 'reg' }).tree, 'U', 'reg');
      assert.equal(evaluate(d, 'reg', inputs).data[0], 0, e);
    }
  });

  it('should sum the cotangent over classes where an N×1 value meets an N×C one', () => {
    const inputs = randomInputs('multi', seededRng(7));
    for (const e of ['Add(Dot(Y,X),X)', 'Mul(Dot(X,X),X)', 'Neg(Dot(Mul(Y,Add(1,Sin(Z))),Log(Softmax(X))))', 'Softmax(Mul(X,Dot(X,Y)))', 'Add(Dot(Y,Sin(X)),2)']) {
      assert.ok(checkAgainstDifferences(parse(e, { domain: 'multi' }).tree, 'multi', inputs) > 0, e);
    }
  });

  it('should match central differences for every operator', () => {
    for (const domain of ['binary', 'multi'] as const) {
      const inputs = randomInputs(domain, seededRng(3));
      for (const name of ['Abs', 'Sqrt', 'Sin', 'Cos', 'Tanh', 'Relu', 'Softplus', 'Sig', 'Serf', 'Salf', 'Sgdf', 'Log', 'Exp', 'Neg', 'Softmax']) {
        const e = name === 'Log' || name === 'Sqrt' ? `${name}(Add(Mul(X,X),1))` : `${name}(Mul(X,Add(Q,1)))`.replace('Q', domain === 'multi' ? 'Z' : 'Q');
        assert.ok(checkAgainstDifferences(parse(e, { domain }).tree, domain, inputs) > 0, e);
      }
    }
  });

  for (const domain of DOMAIN_NAMES) {
    it(`should match central differences on random ${domain} trees`, () => {
      let checked = 0;
      fc.assert(
        fc.property(treeArbitrary(domain, { maxDepth: 5 }), fc.integer({ min: 1, max: 1e9 }), (tree, seed) => {
          checked += checkAgainstDifferences(tree, domain, randomInputs(domain, seededRng(seed), 2, 3));
        }),
        { seed: 42, numRuns: 150 },
      );
      assert.ok(checked > 100, `only ${checked} points were smooth enough to check`);
    });
  }
});
