/**
 * An operator declared here, in the test, and registered for the test only:
 * everything the toolkit does with operators must follow from its entry
 * alone. Softsign(a) = a / (1 + |a|) is not in the language; its expected
 * values and slopes below are written out by hand, not computed by the code
 * under test.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type * as tfc from '@tensorflow/tfjs-core';
import { toPytorch } from '../../src/export/pytorch.js';
import { toTfjs } from '../../src/export/tfjs.js';
import { toInfix } from '../../src/render/infix.js';
import { toLatex } from '../../src/render/latex.js';
import { toPrefix } from '../../src/render/prefix.js';
import { compileKernel, type CompiledKernel } from '../../src/symbolic/compile-js.js';
import { derivative } from '../../src/symbolic/derivative.js';
import type { Domain, InputName } from '../../src/symbolic/domains.js';
import { evaluate, type Inputs } from '../../src/symbolic/evaluate.js';
import { lower } from '../../src/symbolic/lower.js';
import type { Node } from '../../src/symbolic/node.js';
import { PREC, type OpSpec } from '../../src/symbolic/op-spec.js';
import { parse } from '../../src/symbolic/parse/index.js';
import { addOperator } from '../../src/symbolic/registry.js';
import { getTf, setupBackend } from '../../src/train/backend.js';
import { compileTfjs } from '../../src/train/compile-tfjs.js';
import { compileFused } from '../../src/train/fused.js';
import { tapeKernel } from '../../src/verify/tape-kernel.js';

/** The whole operator: what a file under src/symbolic/ops/ would hold. */
const softsign: OpSpec<'Softsign'> = {
  name: 'Softsign',
  arity: 1,
  description: 'a / (1 + |a|)',
  searchDomains: [],
  weight: 1,
  infix: { kind: 'call', name: 'softsign' },
  latex: { template: '\\operatorname{softsign}\\left(#1\\right)', prec: PREC.atom, args: [0] },
  code: { python: '(#1 / (1 + torch.abs(#1)))', tfjs: 'tf.div(#1, tf.add(1, tf.abs(#1)))', js: '(#1 / (1 + Math.abs(#1)))' },
  value: (a) => a / (1 + Math.abs(a)),
  derivative: ['Div(1,Mul(Add(1,Abs(?a)),Add(1,Abs(?a))))'],
  tensor: (tf, a) => tf.div(a, tf.add(1, tf.abs(a))),
  properties: { monotone: 'increasing', range: [-1, 1] },
};

// The oracle, by hand.
const ss = (a: number): number => a / (1 + Math.abs(a));
const dss = (a: number): number => 1 / ((1 + Math.abs(a)) * (1 + Math.abs(a)));

/** Regression: f = softsign(i − u)·e; ∂f/∂i = ss'(i−u)·e, ∂f/∂u = −ss'(i−u)·e, ∂f/∂e = ss(i−u). */
const REG = { prefix: 'Mul(Softsign(Sub(I,U)),E)', infix: 'softsign(i - u) * e' };
const U = [2, 3, 0.5, 4, 1.5];
const I = [1, 3.5, 0.25, -2, 1.5];
const E = [3, 4, 1, 7, 2];
const regValue = U.map((u, k) => ss(I[k]! - u) * E[k]!);
const regGrad: Record<'I' | 'U' | 'E', number[]> = {
  I: U.map((u, k) => dss(I[k]! - u) * E[k]!),
  U: U.map((u, k) => -dss(I[k]! - u) * E[k]!),
  E: U.map((u, k) => ss(I[k]! - u)),
};
const col = (v: number[]) => ({ rows: v.length, cols: 1, data: Float64Array.from(v) });
const regInputs: Inputs = { U: col(U), I: col(I), E: col(E) };

/** Multi-class, through a row: −Σ_c y_c·softsign(softmax(x)_c), one value per sample. */
const MULTI = 'Neg(Dot(Y,Softsign(Softmax(X))))';
const X = [
  [0.5, -1, 2],
  [3, 0, -0.5],
];
const Y = [
  [0, 0, 1],
  [1, 0, 0],
];
function multiOracle(x: number[][]): number[] {
  return x.map((row, r) => {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return -row.reduce((acc, _, c) => acc + Y[r]![c]! * ss(e[c]! / s), 0);
  });
}
/** ∂ Σ(value broadcast over the C classes) / ∂x, by central differences of the oracle. */
function multiGradOracle(): number[] {
  const C = X[0]!.length;
  const total = (x: number[][]) => C * multiOracle(x).reduce((a, b) => a + b, 0);
  return X.flatMap((row, r) =>
    row.map((_, c) => {
      const h = 1e-6;
      const at = (d: number) => total(X.map((rr, i) => rr.map((v, j) => (i === r && j === c ? v + d : v))));
      return (at(h) - at(-h)) / (2 * h);
    }),
  );
}
const flat = (m: number[][]) => Float64Array.from(m.flat());

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let k = 0; k < expected.length; k++) {
    const a = actual[k]!;
    const e = expected[k]!;
    assert.ok(Math.abs(a - e) <= tol * (1 + Math.abs(e)), `${what}[${k}]: ${a}, expected ${e}`);
  }
}

function runKernel(k: CompiledKernel, inputs: Partial<Record<InputName, Float64Array>>, rows: number, cols: number) {
  const value = new Float64Array(rows * cols);
  const grads = Object.fromEntries(k.wrt.map((w) => [w, new Float64Array(rows * cols)]));
  k.run(inputs, rows, cols, { value, grads });
  return { value, grads };
}

describe('an operator declared in a test (Softsign)', () => {
  let remove: (() => void) | undefined;
  let reg: Node;
  let multi: Node;

  before(() => {
    // Not part of the language until registered.
    assert.throws(() => parse(REG.prefix), /unknown operator 'Softsign'/);
    remove = addOperator(softsign);
    reg = parse(REG.prefix).tree;
    multi = parse(MULTI, { domain: 'multi' }).tree;
  });
  after(() => {
    remove?.();
    assert.throws(() => parse(REG.prefix), /unknown operator 'Softsign'/);
    assert.throws(() => parse(REG.infix), /softsign/);
  });

  it('parses in prefix and infix to one tree, and prints back in both', () => {
    assert.equal(reg.kind === 'op' && reg.args[0]!.kind === 'op' ? reg.args[0]!.op : '', 'Softsign');
    const infix = parse(REG.infix);
    assert.equal(infix.domain, 'reg');
    assert.equal(infix.tree, reg);
    assert.equal(toPrefix(reg), REG.prefix);
    assert.equal(toInfix(reg, 'reg'), REG.infix);
    assert.equal(parse(toInfix(multi, 'multi'), { domain: 'multi' }).tree, multi);
    assert.throws(() => addOperator(softsign), /already registered/);
  });

  it('prints LaTeX from its template', () => {
    assert.equal(toLatex(reg, 'reg'), '\\operatorname{softsign}(i-u) e');
  });

  it('evaluates to its values, elementwise and inside a row', () => {
    close(evaluate(reg, 'reg', regInputs).data, regValue, 1e-15, 'evaluate reg');
    const out = evaluate(multi, 'multi', { X: { rows: 2, cols: 3, data: flat(X) }, Y: { rows: 2, cols: 3, data: flat(Y) } });
    close(out.data, multiOracle(X).flatMap((v) => [v, v, v]), 1e-15, 'evaluate multi');
  });

  it('differentiates symbolically to its slopes, which finite differences confirm', () => {
    for (const w of ['I', 'U', 'E'] as const) {
      const d = derivative(reg, w, 'reg');
      close(evaluate(d, 'reg', regInputs).data, regGrad[w], 1e-14, `d/d${w}`);
      const h = 1e-6;
      const shifted = (s: number) => evaluate(reg, 'reg', { ...regInputs, [w]: col(Array.from(regInputs[w]!.data, (v) => v + s)) }).data;
      const minus = shifted(-h);
      const fd = shifted(h).map((v, k) => (v - minus[k]!) / (2 * h));
      close(fd, regGrad[w], 1e-6, `finite differences d/d${w}`);
    }
  });

  it('runs in the compiled JS kernel and the verification tape with value and gradient', () => {
    const regArrays = { U: Float64Array.from(U), I: Float64Array.from(I), E: Float64Array.from(E) };
    const multiArrays = { X: flat(X), Y: flat(Y) };
    const multiGrad = multiGradOracle();
    for (const [name, make] of [
      ['compiled', (t: Node, d: Domain, wrt: InputName[]) => compileKernel(t, d, { wrt })],
      ['tape', (t: Node, d: Domain, wrt: InputName[]) => tapeKernel(lower(t, d, { wrt }))],
    ] as const) {
      const r = runKernel(make(reg, 'reg', ['I', 'U', 'E']), regArrays, U.length, 1);
      close(r.value, regValue, 1e-15, `${name} reg value`);
      for (const w of ['I', 'U', 'E'] as const) close(r.grads[w]!, regGrad[w], 1e-14, `${name} reg d/d${w}`);
      const m = runKernel(make(multi, 'multi', ['X']), multiArrays, 2, 3);
      close(m.value, multiOracle(X).flatMap((v) => [v, v, v]), 1e-15, `${name} multi value`);
      close(m.grads.X!, multiGrad, 1e-6, `${name} multi d/dX`);
    }
    assert.match(compileKernel(reg, 'reg').source, /\/ \(1 \+ Math\.abs\(/);
  });

  it('trains through tfjs: the fused kernels and the tfjs builder, value and gradient against float64', async () => {
    await setupBackend('cpu');
    const tf = getTf();
    const regT = { U: tf.tensor1d(U), I: tf.tensor1d(I), E: tf.tensor1d(E) };
    const multiT = { X: tf.tensor2d(X), Y: tf.tensor2d(Y) };
    const multiGrad = multiGradOracle();
    const paths = [
      ['fused', (t: Node, d: Domain, w: InputName) => compileFused(t, d, [w]).full],
      ['tfjs builder', (t: Node, d: Domain) => compileTfjs(t, d).full],
    ] as const;
    for (const [name, make] of paths) {
      for (const w of ['I', 'U', 'E'] as const) {
        const f = make(reg, 'reg', w);
        close(tf.tidy(() => f(tf, regT).dataSync()), regValue, 1e-6, `${name} reg value`);
        const g = tf.grad((x: tfc.Tensor) => tf.sum(f(tf, { ...regT, [w]: x })))(regT[w]).dataSync();
        close(g, regGrad[w], 1e-5, `${name} reg d/d${w}`);
      }
      const f = make(multi, 'multi', 'X');
      close(tf.tidy(() => f(tf, multiT).dataSync()), multiOracle(X).flatMap((v) => [v, v, v]), 1e-6, `${name} multi value`);
      const g = tf.grad((x: tfc.Tensor) => tf.sum(f(tf, { ...multiT, X: x })))(multiT.X).dataSync();
      close(g, multiGrad, 1e-4, `${name} multi d/dX`);
    }
    assert.equal(compileFused(reg, 'reg', ['I']).elementwise, true);
    assert.equal(compileFused(multi, 'multi', ['X']).elementwise, false);
  });

  it('exports to tfjs and PyTorch, and the PyTorch module computes its values', () => {
    assert.match(toTfjs(reg, 'reg', { name: 'softsignLoss' }), /tf\.div\(.*, tf\.add\(1, tf\.abs\(/);
    const py = toPytorch(reg, 'reg', { name: 'SoftsignLoss' });
    assert.match(py, /\/ \(1 \+ torch\.abs\(/);
    const python = '/usr/bin/python3';
    if (!existsSync(python)) assert.fail(`${python} is missing: install Debian's python3-torch (scripts/system-deps.sh does)`);
    const dir = mkdtempSync(join(tmpdir(), 'autoloss-softsign-'));
    try {
      writeFileSync(join(dir, 'softsign_loss.py'), py);
      const script = [
        'import json, sys, torch',
        `sys.path.insert(0, ${JSON.stringify(dir)})`,
        'from softsign_loss import SoftsignLoss',
        't = lambda v: torch.tensor(v, dtype=torch.float64)',
        `out = SoftsignLoss.elementwise(t(${JSON.stringify(U)}), t(${JSON.stringify(I)}), t(${JSON.stringify(E)}))`,
        'print(json.dumps(out.reshape(-1).tolist()))',
      ].join('\n');
      const r = spawnSync(python, ['-c', script], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.status, 0, `python failed: ${r.stderr}`);
      close(JSON.parse(r.stdout) as number[], regValue, 1e-15, 'PyTorch');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
