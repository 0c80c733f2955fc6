/**
 * Float64 batches for the evaluator: row-major rows × cols, where a value
 * without a class axis has cols = 1 and a scalar is 1 × 1. Broadcasting is
 * numpy's rule restricted to two axes.
 */
export interface Batch {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function scalarBatch(v: number): Batch {
  return { rows: 1, cols: 1, data: Float64Array.of(v) };
}

export function broadcastShape(a: Batch, b: Batch): [number, number] | undefined {
  const rows = a.rows === b.rows || b.rows === 1 ? a.rows : a.rows === 1 ? b.rows : -1;
  const cols = a.cols === b.cols || b.cols === 1 ? a.cols : a.cols === 1 ? b.cols : -1;
  return rows < 0 || cols < 0 ? undefined : [rows, cols];
}

/** Element (r, c) of `b` under broadcasting. */
export function at(b: Batch, r: number, c: number): number {
  return b.data[(b.rows === 1 ? 0 : r) * b.cols + (b.cols === 1 ? 0 : c)]!;
}

export function broadcastTo(b: Batch, rows: number, cols: number): Batch {
  if (b.rows === rows && b.cols === cols) return b;
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = at(b, r, c);
  return { rows, cols, data };
}
