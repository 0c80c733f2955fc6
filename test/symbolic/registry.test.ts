import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DOMAIN_NAMES } from '../../src/symbolic/domains.js';
import { OP_NAMES } from '../../src/symbolic/op-names.js';
import { parseTemplate } from '../../src/symbolic/parse/index.js';
import { ALL_OPS, REGISTRY, searchOps } from '../../src/symbolic/registry.js';
import { inputsOf } from '../../src/symbolic/node.js';

describe('operator registry', () => {
  it('should hold exactly one complete entry per operator name', () => {
    assert.deepEqual(Object.keys(REGISTRY).sort(), [...OP_NAMES].sort());
    for (const o of ALL_OPS) {
      assert.equal(REGISTRY[o.name], o);
      assert.ok(o.description.length > 0, `${o.name}: description`);
      assert.ok(o.weight > 0, `${o.name}: weight`);
      assert.ok(o.latex.template.includes('#1') && o.latex.args.length === o.arity, `${o.name}: latex`);
      assert.ok(o.code.python.includes('#1') && o.code.tfjs.includes('#1'), `${o.name}: code templates`);
      assert.ok(o.axis || o.code.js?.includes('#1'), `${o.name}: js template`);
      assert.equal(typeof o.tensor, 'function', `${o.name}: tensor builder`);
      if (o.axis) assert.equal(o.vjp?.length, o.arity, `${o.name}: vjp templates`);
      else assert.equal(o.derivative.length, o.arity, `${o.name}: derivative templates`);
      if (o.arity === 2) for (const t of [o.latex.template, o.code.python, o.code.tfjs]) assert.ok(t.includes('#2'), `${o.name}: #2 in ${t}`);
    }
  });

  it('should have derivative templates that parse and use only ?a, ?b, ?g and pi', () => {
    for (const o of ALL_OPS) {
      for (const t of [...o.derivative, ...(o.vjp ?? [])]) {
        const tree = parseTemplate(t);
        assert.equal(inputsOf(tree).size, 0, `${o.name}: ${t}`);
      }
    }
  });

  it('should draw each domain search space as SEMANTICS.md lists it', () => {
    const names = (d: (typeof DOMAIN_NAMES)[number]) => searchOps(d).map((o) => o.name).sort();
    const reg = ['Add', 'Sub', 'Mul', 'Div', 'Neg', 'Log', 'Exp', 'Abs', 'Sqrt', 'Softplus', 'Sig', 'Tanh', 'Relu', 'Sin', 'Cos'];
    assert.deepEqual(names('reg'), [...reg].sort());
    assert.deepEqual(names('binary'), [...reg, 'Serf', 'Salf', 'Sgdf', 'Softmax'].sort());
    assert.deepEqual(names('multi'), [...reg, 'Serf', 'Salf', 'Sgdf', 'Softmax', 'Dot'].sort());
  });

  it('should give the values SEMANTICS.md defines at reference points', () => {
    const v = (n: keyof typeof REGISTRY, a: number, b = 0) => REGISTRY[n].value(a, b);
    assert.equal(v('Div', 1, 0), 1e20);
    assert.equal(v('Exp', 100), Math.exp(88));
    assert.ok(Number.isNaN(v('Log', -1)));
    assert.equal(v('Sig', 0), 0.5);
    assert.equal(v('Serf', 0), 0.5);
    assert.equal(v('Salf', 2), (1 / Math.SQRT2 + 1) / 2);
    assert.ok(Math.abs(v('Sgdf', 1) - (2 * Math.atan(Math.tanh(Math.PI / 8)) * 2 / Math.PI + 1) / 2) < 1e-16);
    assert.ok(Math.abs(v('Serf', 1) - 0.7345579745) < 1e-9); // (erf(√π/4)+1)/2 from Python's math.erf
    assert.equal(v('Softplus', 1000), 1000);
    assert.equal(v('Relu', -2), 0);
  });
});
