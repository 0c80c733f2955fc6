/**
 * Small training-shaped batches (logits + labels + IoUs, or boxes) together
 * with the language inputs SEMANTICS.md says the reference derives from them,
 * computed independently here, and the per-sample reduction `forward` applies.
 */
import type { Batch } from '../../../src/symbolic/batch.js';
import type { Domain } from '../../../src/symbolic/domains.js';
import type { Inputs } from '../../../src/symbolic/evaluate.js';

export interface TrainingBatch {
  /** Arguments to `forward` as nested arrays. */
  readonly args: unknown[];
  /** Which arguments are integer tensors. */
  readonly ints: boolean[];
  readonly inputs: Inputs;
  /** From `evaluate`'s full-shape output to what forward(reduction='none') returns, flattened. */
  readonly reduce: (out: Batch) => number[];
}

const mat = (rows: number[][]): Batch => ({ rows: rows.length, cols: rows[0]!.length, data: Float64Array.from(rows.flat()) });
const col = (v: number[]): Batch => ({ rows: v.length, cols: 1, data: Float64Array.from(v) });

const LOGITS = [[2.0, -1.0, 0.5, -2.0], [-0.5, 1.5, -1.0, 0.0], [0.3, -0.2, 2.5, -1.5], [1.0, 0.0, -3.0, 0.7]];
const LABELS = [0, 1, 3, 2];
const IOUS = [0.9, 0.6, 0.0, 0.75];

export function trainingBatches(domain: Domain): TrainingBatch {
  if (domain === 'multi') {
    // 4 columns = 3 classes + background (label 3).
    const C = 4;
    const Y = LABELS.map((l) => Array.from({ length: C }, (_, c) => (c === l ? 1 : 0)));
    const Z = LABELS.map((l, r) => Array(C).fill(l < C - 1 ? IOUS[r]! : 1));
    return {
      args: [LOGITS, LABELS, IOUS],
      ints: [false, true, false],
      inputs: { X: mat(LOGITS), Y: mat(Y), Z: mat(Z) },
      // The published losses reduce with Dot, so the broadcast row holds the sample's loss in every column.
      reduce: (out) => Array.from({ length: out.rows }, (_, r) => out.data[r * out.cols]!),
    };
  }
  if (domain === 'binary') {
    // 4 classes, no background column; label 4 = background.
    const C = 4;
    const labels = [0, 1, 4, 2];
    const PY = labels.map((l) => Array.from({ length: C }, (_, c) => (c === l ? 1 : 0)));
    const Q = PY.map((row, r) => row.map((v) => v * IOUS[r]!));
    const NY = PY.map((row) => row.map((v) => 1 - v));
    const alpha = PY.flat().map((p) => 0.25 * p + 0.75 * (1 - p));
    return {
      args: [LOGITS, labels, IOUS],
      ints: [false, true, false],
      inputs: { X: mat(LOGITS), Q: mat(Q), PY: mat(PY), NY: mat(NY) },
      reduce: (out) => Array.from(out.data, (v, k) => v * alpha[k]!),
    };
  }
  const pred = [[0, 0, 10, 10], [2, 3, 12, 9], [20, 20, 25, 30], [1, 1, 9, 9]];
  const target = [[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10]];
  const U: number[] = [];
  const I: number[] = [];
  const E: number[] = [];
  pred.forEach((p, k) => {
    const t = target[k]!;
    const iw = Math.max(0, Math.min(p[2]!, t[2]!) - Math.max(p[0]!, t[0]!));
    const ih = Math.max(0, Math.min(p[3]!, t[3]!) - Math.max(p[1]!, t[1]!));
    const inter = iw * ih;
    const area = (b: number[]): number => (b[2]! - b[0]!) * (b[3]! - b[1]!);
    I.push(inter);
    U.push(area(p) + area(t) - inter + 1e-7);
    const ew = Math.max(p[2]!, t[2]!) - Math.min(p[0]!, t[0]!);
    const eh = Math.max(p[3]!, t[3]!) - Math.min(p[1]!, t[1]!);
    E.push(ew * eh + 1e-7);
  });
  return { args: [pred, target], ints: [false, false], inputs: { U: col(U), I: col(I), E: col(E) }, reduce: (out) => Array.from(out.data) };
}
