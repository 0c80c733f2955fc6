/** The reference-values fixture cases as float32 tensors, and a float32-aware closeness check. */
import { readFileSync } from 'node:fs';
import type * as tfc from '@tensorflow/tfjs-core';
import type { Batch } from '../../../src/symbolic/batch.js';
import type { Domain, InputName } from '../../../src/symbolic/domains.js';
import type { Inputs } from '../../../src/symbolic/evaluate.js';
import { inputsFromJson } from '../../../src/symbolic/inputs-json.js';
import type { Node } from '../../../src/symbolic/node.js';
import type { Tf } from '../../../src/symbolic/op-spec.js';
import { parse } from '../../../src/symbolic/parse/index.js';
import type { TensorInputs } from '../../../src/train/compile-tfjs.js';
import { fixture } from '../../helpers/paths.js';

export interface Case {
  readonly index: number;
  readonly expr: string;
  readonly tree: Node;
  readonly domain: Domain;
  readonly inputs: Inputs;
  readonly output: number[];
}

export function referenceCases(): Case[] {
  const raw = JSON.parse(readFileSync(fixture('reference-values.json'), 'utf8')) as { cases: { domain: Domain; expr: string; inputs: unknown; output: (number | string)[] }[] };
  return raw.cases.map((c, index) => {
    const { tree, domain } = parse(c.expr, { domain: c.domain });
    return { index, expr: c.expr, tree, domain, inputs: inputsFromJson(domain, c.inputs), output: c.output.map(Number) };
  });
}

export function toTensor(tf: Tf, domain: Domain, b: Batch): tfc.Tensor {
  return domain === 'reg' ? tf.tensor1d(Float32Array.from(b.data)) : tf.tensor2d(Float32Array.from(b.data), [b.rows, b.cols]);
}

export function tensorInputs(tf: Tf, c: Case): TensorInputs {
  const out: TensorInputs = {};
  for (const [name, b] of Object.entries(c.inputs) as [InputName, Batch][]) out[name] = toTensor(tf, c.domain, b);
  return out;
}

/**
 * Float32 closeness to a float64 reference: |a − e| ≤ rel·|e| + abs, and
 * non-finite values at the same places. Returns the first offending index or -1.
 */
export function firstMismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-4, abs = 1e-5): number {
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (!(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)))) return i;
      continue;
    }
    if (Math.abs(a - e) > rel * Math.abs(e) + abs) return i;
  }
  return -1;
}
