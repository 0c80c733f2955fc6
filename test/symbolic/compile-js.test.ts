import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { treeArbitrary } from '../../src/symbolic/arbitrary.js';
import { compileKernel, type NumArray } from '../../src/symbolic/compile-js.js';
import { DOMAINS, type Domain, type InputName } from '../../src/symbolic/domains.js';
import { evaluate } from '../../src/symbolic/evaluate.js';
import { inputsFromJson } from '../../src/symbolic/inputs-json.js';
import { inputsOf, type Node } from '../../src/symbolic/node.js';
import { parse } from '../../src/symbolic/parse/index.js';
import { toPrefix } from '../../src/render/prefix.js';
import { derivative } from '../../src/symbolic/derivative.js';
import { shapeOf } from '../../src/symbolic/shape.js';
import { assertClose } from '../helpers/close.js';
import { fixture } from '../helpers/paths.js';
import { makeRng } from '../../src/util/rng.js';

interface Case {
  domain: Domain;
  expr: string;
  inputs: unknown;
  output: (number | string)[];
}
const cases = (JSON.parse(readFileSync(fixture('reference-values.json'), 'utf8')) as { cases: Case[] }).cases;

const rng = makeRng;

function randomInputs(domain: Domain, rows: number, cols: number, rand: () => number): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const spec of DOMAINS[domain].inputs) {
    const a = new Float64Array(rows * cols);
    for (let k = 0; k < a.length; k++) a[k] = domain === 'reg' ? 0.5 + 4 * rand() : -2 + 4 * rand();
    out[spec.name] = a;
  }
  return out;
}

function sumValue(tree: Node, domain: Domain, inputs: Record<string, Float64Array>, rows: number, cols: number, seed: Float64Array): number {
  const batches = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, { rows, cols, data: v }]));
  const out = evaluate(tree, domain, batches);
  let s = 0;
  for (let k = 0; k < out.data.length; k++) s += seed[k]! * out.data[k]!;
  return s;
}

describe('compileKernel', () => {
  it('should reproduce evaluate() bit for bit, and so the fixtures, on every reference-values case', () => {
    for (const [k, c] of cases.entries()) {
      const { tree, domain } = parse(c.expr, { domain: c.domain });
      const inputs = inputsFromJson(domain, c.inputs);
      const first = Object.values(inputs)[0]!;
      const kernel = compileKernel(tree, domain, { wrt: DOMAINS[domain].inputs.map((i) => i.name) });
      const value = new Float64Array(first.rows * first.cols);
      const data = Object.fromEntries(Object.entries(inputs).map(([n, b]) => [n, b.data])) as Record<InputName, NumArray>;
      kernel.run(data, first.rows, first.cols, { value });
      assertClose(Array.from(value), c.output, `case ${k} ${c.expr}`);
      assert.deepEqual(value, evaluate(tree, domain, inputs).data, `case ${k} ${c.expr}: differs from evaluate()`);
    }
  });

  it('should accept Float32Array inputs and give the same value as on their float64 copies', () => {
    const { tree } = parse('Add(Log(Sig(X)),Dot(PY,Softmax(X)))', { domain: 'binary' });
    const x32 = Float32Array.from([0.5, -1, 2, 3, 0.25, -0.75]);
    const py = Float32Array.from([1, 0, 0, 0, 1, 0]);
    const k = compileKernel(tree, 'binary');
    const a = new Float64Array(6);
    const b = new Float64Array(6);
    k.run({ X: x32, PY: py }, 2, 3, { value: a });
    k.run({ X: Float64Array.from(x32), PY: Float64Array.from(py) }, 2, 3, { value: b });
    assert.deepEqual(a, b);
  });

  it('should give the exact gradient of a published loss at a known point', () => {
    const k = compileKernel(parse('Neg(Dot(Y,Log(Softmax(X))))', { domain: 'multi' }).tree, 'multi', { wrt: ['X'] });
    const gX = new Float64Array(3);
    k.run({ X: Float64Array.of(0, 0, 0), Y: Float64Array.of(1, 0, 0) }, 1, 3, { grads: { X: gX } });
    // The value is N×1 broadcast over 3 classes: its cotangent is the row sum of ones, 3; ∂CE/∂x = softmax − y.
    assertClose(Array.from(gX), [3 * (1 / 3 - 1), 3 * (1 / 3), 3 * (1 / 3)], 'grad');
  });

  it('should count the classes when a row value broadcast into a per-class term gets a row cotangent back', () => {
    // Add(Dot(X,Y),X) is N×C; the outer Dot hands it a cotangent that does not vary over classes,
    // so Dot(X,Y), broadcast over the 3 classes, receives 3 times that.
    const { tree } = parse('Dot(Add(Dot(X,Y),X),2)', { domain: 'multi' });
    const k = compileKernel(tree, 'multi', { wrt: ['X'] });
    const gX = new Float64Array(3);
    k.run({ X: Float64Array.of(0.3, -1, 2), Y: Float64Array.of(1, 0.5, 0) }, 1, 3, { grads: { X: gX } });
    // value per class = 2·(3·(x·y) + Σx); summed over 3 classes: ∂/∂x_j = 3·2·(3·y_j + 1).
    assert.deepEqual(Array.from(gX), [24, 15, 6]);
  });

  it('should give every element its own value where runs of equal arguments reuse a call: signed zeros and NaN included', () => {
    // Sin keeps the sign of zero, so a value reused across 0 and −0 would show; NaN must never be reused.
    const z = [0, 0, -0, -0, 0, NaN, NaN, 1, 1, -0, 2, 2];
    const x = z.map((_, k) => 0.1 * k - 0.5);
    const cases: [string, Domain, Record<string, number[]>][] = [
      ['Sin(Sin(PY))', 'binary', { PY: z }],
      ['Add(Sin(Sin(PY)),Sin(X))', 'binary', { PY: z, X: x }],
      ['Add(Sin(Sin(Z)),Softmax(X))', 'multi', { Z: z, X: x }],
    ];
    for (const [expr, domain, raw] of cases) {
      const { tree } = parse(expr, { domain });
      const wrt: InputName[] = 'X' in raw ? ['X'] : [];
      const k = compileKernel(tree, domain, { wrt });
      assert.match(k.source, /ma\d+/, `${expr}: no reused call in the kernel`);
      const value = new Float64Array(12);
      k.run(Object.fromEntries(Object.entries(raw).map(([n, v]) => [n, Float64Array.from(v)])) as Record<InputName, NumArray>, 3, 4, { value, grads: wrt.length ? { X: new Float64Array(12) } : {} });
      const want = evaluate(tree, domain, Object.fromEntries(Object.entries(raw).map(([n, v]) => [n, { rows: 3, cols: 4, data: Float64Array.from(v) }]))).data;
      for (let i = 0; i < 12; i++) assert.ok(Object.is(value[i], want[i]), `${expr}[${i}]: ${value[i]} vs ${want[i]}`);
      if (!('X' in raw)) assert.ok(Object.is(value[2], -0) && Object.is(value[1], 0), `${expr}: the sign of zero lost`);
    }
  });

  it('should read a given float32 softmax where asked, correct its x − max rounding, and match computing it to float32 accuracy', () => {
    const { tree } = parse('Neg(Dot(Mul(Y,Add(1,Sin(Z))),Log(Softmax(X))))', { domain: 'multi' });
    const own = compileKernel(tree, 'multi', { wrt: ['X'] });
    const given = compileKernel(tree, 'multi', { wrt: ['X'], givenSoftmax: true });
    assert.deepEqual(given.softmaxOf, ['X']);
    assert.deepEqual(own.softmaxOf, []);
    assert.doesNotMatch(given.source, /Math\.exp/);
    const rng = makeRng(7);
    const rows = 4, cols = 5;
    // Float32 logits, one row spread wide: its tail probabilities carry x − max's float32 rounding.
    const X = Float64Array.from({ length: rows * cols }, (_, i) => Math.fround(i < cols ? 40 * rng() - 20 : 6 * rng() - 3) + (i < cols ? 0 : 0));
    const Y = Float64Array.from({ length: rows * cols }, (_, i) => (i % cols === Math.floor(i / cols) % cols ? 1 : 0));
    const Z = Float64Array.from({ length: rows * cols }, (_, i) => Math.floor(i / cols) / 4);
    // The softmax as a float32 kernel computes it: e^(x − max) from x − max rounded to float32.
    const f32 = (shift: (v: number, i: number) => number) => {
      const S = new Float64Array(rows * cols);
      for (let r = 0; r < rows; r++) {
        const row = X.subarray(r * cols, (r + 1) * cols);
        const m = Math.max(...row);
        const e = Array.from(row, (x) => Math.fround(Math.exp(Math.fround(x - m))));
        const sum = e.reduce((a, b) => a + b, 0);
        e.forEach((v, c) => (S[r * cols + c] = shift(Math.fround(v / sum), r * cols + c)));
      }
      return S;
    };
    const run = (k: typeof own, softmax?: Float64Array) => {
      const rowValue = new Float64Array(rows);
      const gX = new Float64Array(rows * cols);
      k.run({ X, Y, Z }, rows, cols, { rowValue, grads: { X: gX } }, undefined, softmax ? { X: softmax } : undefined);
      return [...rowValue, ...gX];
    };
    assertClose(run(given, f32((v) => v)), run(own), 'given softmax', 3e-7, 1e-30);
    // It reads what it is given: another softmax, another value.
    assert.notDeepEqual(run(given, f32((v, i) => (i === 0 ? v / 2 : v))), run(given, f32((v) => v)));
    assert.throws(() => run(given), /softmax of input X is not given/);
  });

  it('should skip a Dot factor only where the other factor is zero and the factor finite: NaN and infinities still reach the sum', () => {
    const { tree } = parse('Dot(Y,Log(X))', { domain: 'multi' });
    // Differentiated with respect to X, the logarithm's only use is the Dot's (∂/∂X takes 1/(x+1e-20)).
    const k = compileKernel(tree, 'multi', { wrt: ['X'] });
    // The logarithm is computed inside the Dot's loop, behind the zero test.
    assert.match(k.source, /!== 0 \|\| !\(/);
    const rows = 6, cols = 3;
    // Per row: y = 0 beside a finite log, a NaN log (x < 0), +Inf (x = Inf), NaN (x = NaN); a lone non-zero y; and −0.
    const X = Float64Array.of(0.5, 2, 0, 0.5, -1, 3, 0.5, Infinity, 3, NaN, 1, 2, 0.5, 2, 1e-30, 0.25, 4, 1);
    const Y = Float64Array.of(0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, -0, -0, 0);
    const value = new Float64Array(rows * cols);
    k.run({ X, Y }, rows, cols, { value, grads: { X: new Float64Array(rows * cols) } });
    const want = evaluate(tree, 'multi', { X: { rows, cols, data: X }, Y: { rows, cols, data: Y } }).data;
    for (let i = 0; i < rows * cols; i++) assert.ok(Object.is(value[i], want[i]), `[${i}]: ${value[i]} vs ${want[i]}`);
    assert.ok(Number.isNaN(value[3]) && Number.isNaN(value[6]) && Number.isNaN(value[9]), 'a non-finite factor times zero must give NaN');
    assert.ok(Object.is(value[15], 0), 'zeros only: the sum stays +0');
  });

  it('should take one cotangent per row for a row-valued tree: the gradient of Σ seed_r·value_r, without a pass over an N×C seed', () => {
    const { tree } = parse('Neg(Dot(Mul(Y,Add(1,Sin(Z))),Log(Softmax(X))))', { domain: 'multi' });
    const perRow = compileKernel(tree, 'multi', { wrt: ['X'], rowSeed: true });
    const full = compileKernel(tree, 'multi', { wrt: ['X'] });
    assert.doesNotMatch(perRow.source, /seed\[o \+ c\]/);
    const rows = 3, cols = 4;
    const rng = makeRng(11);
    const X = Float64Array.from({ length: rows * cols }, () => 4 * rng() - 2);
    const Y = Float64Array.from({ length: rows * cols }, (_, i) => (i % cols === 1 ? 1 : 0));
    const Z = Float64Array.from({ length: rows * cols }, (_, i) => Math.floor(i / cols) / 3);
    const seed = Float64Array.of(0.5, -2, 3);
    // The same cotangents as an N×C seed: each row's in its first class.
    const wide = new Float64Array(rows * cols);
    seed.forEach((v, r) => (wide[r * cols] = v));
    const grad = (k: typeof full, s: Float64Array) => {
      const gX = new Float64Array(rows * cols);
      k.run({ X, Y, Z }, rows, cols, { grads: { X: gX } }, s);
      return Array.from(gX);
    };
    assert.deepEqual(grad(perRow, seed), grad(full, wide));
    assert.throws(() => grad(perRow, Float64Array.of(1)), /the seed has 1 values, 3 rows need 3/);
    assert.throws(() => compileKernel(parse('Softmax(X)', { domain: 'multi' }).tree, 'multi', { wrt: ['X'], rowSeed: true }), /one per row/);
  });

  it('should write one value per row for a row-valued tree, and refuse for a value with a class axis', () => {
    const k = compileKernel(parse('Neg(Dot(Y,Log(Softmax(X))))', { domain: 'multi' }).tree, 'multi');
    const rowValue = new Float64Array(2);
    const value = new Float64Array(6);
    k.run({ X: Float64Array.of(0, 0, 0, 1, 2, 3), Y: Float64Array.of(1, 0, 0, 0, 0, 1) }, 2, 3, { value, rowValue });
    assert.deepEqual(Array.from(rowValue), [value[0], value[3]]);
    assertClose(Array.from(rowValue), [Math.log(3), -Math.log(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3)))], 'rows');
    const perClass = compileKernel(parse('Softmax(X)', { domain: 'multi' }).tree, 'multi');
    assert.throws(() => perClass.run({ X: Float64Array.of(0, 1) }, 1, 2, { rowValue: new Float64Array(1) }), /no value per row/);
  });

  it('should write zeros for a requested input the tree does not read', () => {
    const k = compileKernel(parse('Div(I,U)').tree, 'reg', { wrt: ['E', 'I'] });
    const gE = Float64Array.of(7, 7);
    const gI = new Float64Array(2);
    k.run({ I: Float64Array.of(1, 2), U: Float64Array.of(4, 4) }, 2, 1, { grads: { E: gE, I: gI } });
    assert.deepEqual(Array.from(gE), [0, 0]);
    assertClose(Array.from(gI), [0.25, 0.25], 'gI');
  });

  for (const domain of ['reg', 'binary', 'multi'] as const) {
    it(`should match central finite differences on random ${domain} trees where the function is smooth`, () => {
      const rand = rng(domain.length * 7919);
      const trees = fc.sample(treeArbitrary(domain, { maxDepth: 5 }), { seed: 42 + domain.length, numRuns: 150 });
      const [rows, cols] = domain === 'reg' ? [3, 1] : [2, 4];
      let compared = 0;
      for (const tree of trees) {
        const wrt = [...inputsOf(tree)];
        if (wrt.length === 0) continue;
        const kernel = compileKernel(tree, domain, { wrt });
        const inputs = randomInputs(domain, rows, cols, rand);
        const seed = Float64Array.from({ length: rows * cols }, () => 0.5 + rand());
        const grads = Object.fromEntries(wrt.map((w) => [w, new Float64Array(rows * cols)]));
        kernel.run(inputs as Record<InputName, NumArray>, rows, cols, { grads }, seed);
        for (const w of wrt) {
          for (let k = 0; k < rows * cols; k++) {
            const x = inputs[w]![k]!;
            const fd = (h: number): number => {
              inputs[w]![k] = x + h;
              const up = sumValue(tree, domain, inputs, rows, cols, seed);
              inputs[w]![k] = x - h;
              const down = sumValue(tree, domain, inputs, rows, cols, seed);
              inputs[w]![k] = x;
              return (up - down) / (2 * h);
            };
            const h = 1e-5 * Math.max(1, Math.abs(x));
            const d1 = fd(h);
            const d2 = fd(h / 2);
            const g = grads[w]![k]!;
            // Kinks, guards and overflow make finite differences meaningless; compare only where two steps agree.
            if (!Number.isFinite(d1) || !Number.isFinite(d2) || Math.abs(d1 - d2) > 1e-6 * (1 + Math.abs(d1)) || Math.abs(d1) > 1e8) continue;
            compared++;
            assert.ok(Math.abs(g - d1) <= 1e-4 * (1 + Math.abs(d1)), `${toPrefix(tree)} d/d${w}[${k}]: kernel ${g}, finite differences ${d1}`);
          }
        }
      }
      assert.ok(compared > 100, `only ${compared} smooth points compared`);
    });
  }

  for (const domain of ['reg', 'binary', 'multi'] as const) {
    it(`should agree with the symbolic derivative() on random ${domain} trees (an independent reverse mode over the same templates)`, () => {
      const rand = rng(11 + domain.length);
      const [rows, cols] = domain === 'reg' ? [4, 1] : [3, 4];
      const names = DOMAINS[domain].inputs.map((i) => i.name);
      let compared = 0;
      for (const tree of fc.sample(treeArbitrary(domain, { maxDepth: 5 }), { seed: 5, numRuns: 150 })) {
        const shape = shapeOf(tree, domain);
        if (shape === 0) continue;
        const data = randomInputs(domain, rows, cols, rand);
        const batches = Object.fromEntries(Object.entries(data).map(([n, d]) => [n, { rows, cols, data: d }]));
        const grads = Object.fromEntries(names.map((n) => [n, new Float64Array(rows * cols)]));
        compileKernel(tree, domain, { wrt: names }).run(data as Record<InputName, NumArray>, rows, cols, { grads });
        // derivative() differentiates the natural-shape sum; the kernel, the value broadcast over classes.
        const times = domain !== 'reg' && shape === 1 ? cols : 1;
        for (const w of names) {
          const d = evaluate(derivative(tree, w, domain), domain, batches).data;
          for (let j = 0; j < d.length; j++) {
            const a = grads[w]![j]!;
            const b = times * d[j]!;
            if (!Number.isFinite(a) || !Number.isFinite(b) || Math.abs(b) > 1e10) continue;
            compared++;
            assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${toPrefix(tree)} d/d${w}[${j}]: kernel ${a}, derivative() ${b}`);
          }
        }
      }
      assert.ok(compared > 500, `only ${compared} values compared`);
    });
  }
});
