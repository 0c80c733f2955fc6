/**
 * Reading evaluator inputs from JSON: `{"X": [[…], …], "Y": …}` keyed by
 * prefix names, N×C nested arrays for classification and flat N arrays for
 * regression. Non-finite values may be written "NaN", "Infinity", "-Infinity".
 */
import type { Batch } from './batch.js';
import { DOMAINS, type Domain, isInputName } from './domains.js';
import { EvalError, type Inputs } from './evaluate.js';

function num(v: unknown, where: string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  throw new EvalError(`${where} is not a number`);
}

export function inputsFromJson(domain: Domain, json: unknown, where = 'inputs'): Inputs {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new EvalError(`${where} must be an object keyed by input name`);
  const spec = DOMAINS[domain];
  const out: Inputs = {};
  for (const [key, value] of Object.entries(json)) {
    if (!isInputName(key) || !spec.inputs.some((i) => i.name === key)) {
      throw new EvalError(`${where}.${key} is not an input of domain ${domain} (${spec.inputs.map((i) => i.name).join(', ')})`);
    }
    if (!Array.isArray(value)) throw new EvalError(`${where}.${key} must be an array`);
    let batch: Batch;
    if (spec.classAxis) {
      const rows = value.length;
      const cols = Array.isArray(value[0]) ? value[0].length : -1;
      if (cols <= 0) throw new EvalError(`${where}.${key} must be an N×C array of arrays`);
      const data = new Float64Array(rows * cols);
      value.forEach((row, r) => {
        if (!Array.isArray(row) || row.length !== cols) throw new EvalError(`${where}.${key}[${r}] must be an array of ${cols} numbers`);
        row.forEach((v, c) => (data[r * cols + c] = num(v, `${where}.${key}[${r}][${c}]`)));
      });
      batch = { rows, cols, data };
    } else {
      const data = Float64Array.from(value, (v, r) => num(v, `${where}.${key}[${r}]`));
      batch = { rows: data.length, cols: 1, data };
    }
    if (batch.rows === 0) throw new EvalError(`${where}.${key} is empty`);
    out[key] = batch;
  }
  return out;
}

/** Output shape as the fixtures write it: [N, C] or [N]. */
export function outputShape(domain: Domain, b: Batch): number[] {
  return DOMAINS[domain].classAxis ? [b.rows, b.cols] : [b.rows];
}

/** JSON-safe numbers: non-finite values become the strings the fixtures use. */
export function jsonNumber(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}
