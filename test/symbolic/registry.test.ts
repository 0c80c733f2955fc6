import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DOMAIN_NAMES } from '../../src/symbolic/domains.js';
import { OP_NAMES } from '../../src/symbolic/op-names.js';
import { parseTemplate } from '../../src/symbolic/parse/index.js';
import { ALL_OPS, REGISTRY, searchOps } from '../../src/symbolic/registry.js';
import { inputsOf } from '../../src/symbolic/node.js';
import { REPO } from '../helpers/paths.js';

describe('operator registry', () => {
  it('should hold exactly one complete entry per operator name', () => {
    assert.deepEqual(Object.keys(REGISTRY).sort(), [...OP_NAMES].sort());
    for (const o of ALL_OPS) {
      assert.equal(REGISTRY[o.name], o);
      assert.ok(o.description.length > 0, `${o.name}: description`);
      assert.ok(o.weight > 0, `${o.name}: weight`);
      assert.ok(o.latex.template.includes('#1') && o.latex.args.length === o.arity, `${o.name}: latex`);
      assert.ok(o.code.python.includes('#1') && o.code.tfjs.includes('#1'), `${o.name}: code templates`);
      assert.ok(o.code.js.includes('#1'), `${o.name}: js template`);
      if (o.axis) assert.ok(o.rows && o.code.jsRow?.includes('#o'), `${o.name}: row semantics and row code`);
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
    // The lists are read from the contract itself: "- `reg`: Add Sub …", "- `binary`: the `reg` set plus …".
    const text = readFileSync(join(REPO, '..', 'shared', 'SEMANTICS.md'), 'utf8');
    const listed = new Map<string, string[]>();
    for (const m of text.matchAll(/^- `(\w+)`: (?:the `(\w+)` set plus )?([A-Z][A-Za-z ]+)$/gm)) {
      listed.set(m[1]!, [...(m[2] ? listed.get(m[2])! : []), ...m[3]!.trim().split(/\s+/)]);
    }
    assert.deepEqual([...listed.keys()].sort(), [...DOMAIN_NAMES].sort(), 'SEMANTICS.md lists every domain');
    for (const d of DOMAIN_NAMES) {
      assert.deepEqual(searchOps(d).map((o) => o.name).sort(), [...listed.get(d)!].sort(), d);
    }
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
