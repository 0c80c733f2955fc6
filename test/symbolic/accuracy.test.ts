/**
 * Every operator against 400-digit values (test/symbolic/_oracle/operators.py
 * wrote operators.json with mpmath), on every numeric path: the float64
 * evaluator, the generated JS kernel and the verification tape in float64
 * ulps; the tfjs builders and the fused kernel in float32 ulps; the exported
 * PyTorch module in float64. The worst error per operator and path is
 * printed, so a regression shows its size, not only that a bound broke.
 */
import assert from 'node:assert/strict';
import type * as tfc from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { toPytorch } from '../../src/export/pytorch.js';
import { lower } from '../../src/symbolic/lower.js';
import { compileKernel } from '../../src/symbolic/compile-js.js';
import { DOMAINS, type Domain, type InputName } from '../../src/symbolic/domains.js';
import { evaluate } from '../../src/symbolic/evaluate.js';
import { input, op, type Node } from '../../src/symbolic/node.js';
import type { OpName } from '../../src/symbolic/op-names.js';
import { getTf, setupBackend } from '../../src/train/backend.js';
import { compileTfjs } from '../../src/train/compile-tfjs.js';
import { compileFused } from '../../src/train/fused.js';
import { tapeKernel } from '../../src/verify/tape-kernel.js';
import { REPO } from '../helpers/paths.js';

interface Oracle {
  unary: Record<string, [number, string][]>;
  binary: Record<string, [number, number, string][]>;
  softmax: [number[], string[]][];
  dot: [number[], number[], string][];
}
const ORACLE = JSON.parse(readFileSync(join(REPO, 'test', 'symbolic', '_oracle', 'operators.json'), 'utf8')) as Oracle;

/** A batch of same-width rows: the tree, its domain, its inputs (rows×cols, row-major) and the exact values. */
interface Group {
  readonly op: OpName;
  readonly tree: Node;
  readonly domain: Domain;
  readonly rows: number;
  readonly cols: number;
  readonly inputs: Partial<Record<InputName, Float64Array>>;
  /** Exact values, rows×cols (rows for a row-valued op). */
  readonly want: number[];
  readonly rowValued: boolean;
}

function groups(): Group[] {
  const out: Group[] = [];
  for (const [name, pts] of Object.entries(ORACLE.unary)) {
    out.push({ op: name as OpName, tree: op(name as OpName, input('X')), domain: 'binary', rows: pts.length, cols: 1, inputs: { X: Float64Array.from(pts.map((p) => p[0])) }, want: pts.map((p) => Number(p[1])), rowValued: false });
  }
  for (const [name, pts] of Object.entries(ORACLE.binary)) {
    out.push({ op: name as OpName, tree: op(name as OpName, input('X'), input('Q')), domain: 'binary', rows: pts.length, cols: 1, inputs: { X: Float64Array.from(pts.map((p) => p[0])), Q: Float64Array.from(pts.map((p) => p[1])) }, want: pts.map((p) => Number(p[2])), rowValued: false });
  }
  const byWidth = <T>(items: T[], width: (t: T) => number): T[][] => {
    const m = new Map<number, T[]>();
    for (const t of items) m.set(width(t), [...(m.get(width(t)) ?? []), t]);
    return [...m.values()];
  };
  for (const rows of byWidth(ORACLE.softmax, (r) => r[0].length)) {
    out.push({ op: 'Softmax', tree: op('Softmax', input('X')), domain: 'multi', rows: rows.length, cols: rows[0]![0].length, inputs: { X: Float64Array.from(rows.flatMap((r) => r[0])) }, want: rows.flatMap((r) => r[1].map(Number)), rowValued: false });
  }
  for (const rows of byWidth(ORACLE.dot, (r) => r[0].length)) {
    out.push({ op: 'Dot', tree: op('Dot', input('X'), input('Y')), domain: 'multi', rows: rows.length, cols: rows[0]![0].length, inputs: { X: Float64Array.from(rows.flatMap((r) => r[0])), Y: Float64Array.from(rows.flatMap((r) => r[1])) }, want: rows.map((r) => Number(r[2])), rowValued: true });
  }
  return out;
}
const GROUPS = groups();

const view = new DataView(new ArrayBuffer(8));
/** The spacing of doubles at |x| (2^-1074 for subnormals and 0). */
function ulp64(x: number): number {
  view.setFloat64(0, Math.abs(x));
  const e = (view.getUint32(0) >>> 20) & 0x7ff;
  return e === 0 ? 2 ** -1074 : 2 ** (e - 1075);
}
/** The spacing of float32 values at |x| (2^-149 for subnormals and 0). */
function ulp32(x: number): number {
  view.setFloat32(0, Math.abs(x));
  const e = (view.getUint32(0) >>> 23) & 0xff;
  return e === 0 ? 2 ** -149 : 2 ** (e - 150);
}

/** Distance from the correctly rounded value in units of its last place; NaN for a NaN or an infinity where a finite value is due. */
function ulps(got: number, want: number, ulp: (x: number) => number): number {
  if (got === want) return 0;
  if (!Number.isFinite(got) || !Number.isFinite(want)) return NaN;
  return Math.abs(got - want) / ulp(want);
}

/** The value at row r, class c of a full-shape output of a group, and its exact value. */
function pairsOf(g: Group, got: ArrayLike<number>, round: (x: number) => number): [number, number][] {
  const out: [number, number][] = [];
  for (let r = 0; r < g.rows; r++) {
    for (let c = 0; c < g.cols; c++) out.push([got[r * g.cols + c]!, round(g.want[g.rowValued ? r : r * g.cols + c]!)]);
  }
  return out;
}

type Worst = Map<OpName, number>;
function record(worst: Worst, g: Group, pairs: [number, number][], ulp: (x: number) => number, skip: (want: number) => boolean = () => false): void {
  let w = worst.get(g.op) ?? 0;
  for (const [got, want] of pairs) {
    if (skip(want)) continue;
    const e = ulps(got, want, ulp);
    w = Number.isNaN(e) || Number.isNaN(w) ? NaN : Math.max(w, e);
  }
  worst.set(g.op, w);
}

function report(path: string, worst: Worst): void {
  const cells = [...worst].map(([name, w]) => `${name} ${Number.isNaN(w) ? 'NaN' : w.toFixed(w < 10 ? 2 : 0)}`);
  console.log(`worst error in ulps, ${path}: ${cells.join(', ')}`);
}

function assertWithin(worst: Worst, bound: number, path: string): void {
  for (const [name, w] of worst) assert.ok(w <= bound, `${path}: ${name} is ${w} ulps from the high-precision value (bound ${bound})`);
}

const fullInputs = (g: Group): Partial<Record<InputName, Float64Array>> => {
  const n = g.rows * g.cols;
  const out: Partial<Record<InputName, Float64Array>> = {};
  for (const spec of DOMAINS[g.domain].inputs) out[spec.name] = g.inputs[spec.name] ?? new Float64Array(n);
  return out;
};

/** The values a tfjs path gives for a group's inputs as float32 tensors, at the group's full shape. */
function onFloat32(tf: ReturnType<typeof getTf>, g: Group, run: (ins: Record<string, tfc.Tensor>) => tfc.Tensor): Float32Array {
  const shape = [g.rows, g.cols];
  return tf.tidy(() => {
    const ins = Object.fromEntries(Object.entries(fullInputs(g)).map(([k, v]) => [k, tf.tensor(Float32Array.from(v), shape)]));
    return tf.broadcastTo(run(ins), shape).dataSync() as Float32Array;
  });
}

describe('operator accuracy against high-precision values', () => {
  it('should keep the float64 evaluator within 4 ulps of every operator, tails included', () => {
    const worst: Worst = new Map();
    for (const g of GROUPS) {
      const inputs = Object.fromEntries(Object.entries(fullInputs(g)).map(([k, v]) => [k, { rows: g.rows, cols: g.cols, data: v }]));
      record(worst, g, pairsOf(g, evaluate(g.tree, g.domain, inputs).data, (x) => x), ulp64);
    }
    report('evaluate (float64)', worst);
    assertWithin(worst, 4, 'evaluate');
  });

  it('should keep the generated JS kernel and the verification tape within 4 ulps', () => {
    for (const [path, make] of [
      ['compiled JS kernel (float64)', (g: Group) => compileKernel(g.tree, g.domain)],
      ['verification tape (float64)', (g: Group) => tapeKernel(lower(g.tree, g.domain))],
    ] as const) {
      const worst: Worst = new Map();
      for (const g of GROUPS) {
        const value = new Float64Array(g.rows * g.cols);
        make(g).run(fullInputs(g), g.rows, g.cols, { value });
        record(worst, g, pairsOf(g, value, (x) => x), ulp64);
      }
      report(path, worst);
      assertWithin(worst, 4, path);
    }
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`should keep the fused kernel (float64 inside, stored as float32) within 1 float32 ulp, the backend's softmax within 2 (${backend})`, async () => {
      await setupBackend(backend);
      const tf = getTf();
      const worst: Worst = new Map();
      for (const g of GROUPS) {
        const got = onFloat32(tf, g, (ins) => compileFused(g.tree, g.domain, []).full(tf, ins));
        // Inputs are float32 values, so float32 storage is the only rounding left, except in the softmax,
        // which the backend computes in float32 and the kernel corrects for its x − max rounding.
        record(worst, g, pairsOf(g, got, Math.fround), ulp32);
      }
      report(`fused kernel (float32 out, ${backend})`, worst);
      const { Softmax: softmax, ...rest } = Object.fromEntries(worst);
      assertWithin(new Map(Object.entries(rest)) as Worst, 1, 'fused');
      assertWithin(new Map([['Softmax', softmax!]]) as Worst, 2, 'fused');
    });
  }

  it('should keep the tfjs builders free of cancellation in the tails (float32 ulps, normal range)', async () => {
    await setupBackend('cpu');
    const tf = getTf();
    const worst: Worst = new Map();
    for (const g of GROUPS) {
      const got = onFloat32(tf, g, (ins) => compileTfjs(g.tree, g.domain).full(tf, ins));
      // Below float32's normal range tfjs's own exp flushes; above it there is nothing to represent.
      const outside = (w: number): boolean => (w !== 0 && Math.abs(w) < 2 ** -126) || Math.abs(w) > 3.4e38;
      const inRange = pairsOf(g, got, Math.fround).filter((_, k) => {
        // Sin and Cos of float32 arguments beyond 1e4 lose their reduction in tfjs; the language does not ask for them there.
        const x = g.inputs.X![g.rowValued ? Math.floor(k / g.cols) : k]!;
        return !((g.op === 'Sin' || g.op === 'Cos') && Math.abs(x) > 1e4);
      });
      record(worst, g, inRange, ulp32, outside);
    }
    report('tfjs builders (float32, cpu)', worst);
    // Serf's and Sgdf's tails carry their exponents, and Softmax its x − max, as float32 pairs;
    // rounding them alone cost up to 66, 80 and 31 ulps.
    assertWithin(worst, 8, 'tfjs');
  });

  it('should keep the exported PyTorch module close in float64', () => {
    const dir = mkdtempSync(join(tmpdir(), 'autoloss-accuracy-'));
    try {
      const cases = GROUPS.map((g, k) => {
        const module = join(dir, `op_${k}.py`);
        writeFileSync(module, toPytorch(g.tree, g.domain, { name: `Op${k}` }));
        const ins = fullInputs(g);
        const params = DOMAINS[g.domain].inputs.map((i) => i.name);
        const inputs = Object.fromEntries(params.map((p) => [p, Array.from({ length: g.rows }, (_, r) => Array.from(ins[p]!.subarray(r * g.cols, (r + 1) * g.cols)))]));
        return { module, class: `Op${k}`, params, inputs };
      });
      const jobFile = join(dir, 'job.json');
      writeFileSync(jobFile, JSON.stringify({ cases }));
      const r = spawnSync('/usr/bin/python3', [join(REPO, 'test', 'export', '_helpers', 'run_torch_cases.py'), jobFile], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 300_000 });
      assert.equal(r.status, 0, `python failed: ${r.stderr}`);
      const { results } = JSON.parse(r.stdout) as { results: ({ output: (number | string)[] } | { error: string })[] };
      const worst: Worst = new Map();
      results.forEach((res, k) => {
        const g = GROUPS[k]!;
        assert.ok('output' in res, `${g.op}: ${'error' in res ? res.error : ''}`);
        record(worst, g, pairsOf(g, res.output.map(Number), (x) => x), ulp64);
      });
      report('exported PyTorch (float64)', worst);
      // Serf's and Sgdf's templates carry their tails' exponents as double-double (a Veltkamp split
      // against a 26-bit head of the constant); without that the rounding alone cost ~1100 ulps.
      assertWithin(worst, 8, 'PyTorch');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
