import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';

/** Dot: Σ over the class axis of a·b, keeping that axis (N×1). */
export const dot: OpSpec<'Dot'> = {
  name: 'Dot',
  arity: 2,
  description: "Σ over the class axis of a·b, keeping that axis (N×1)",
  searchDomains: ['multi'],
  weight: 1,
  infix: { kind: 'call', name: 'dot' },
  latex: { template: '\\left\\langle #1, #2\\right\\rangle', prec: PREC.atom, args: [0, 0] },
  code: {
    python: "(#1 * #2).sum(dim=-1, keepdim=True)",
    tfjs: "tf.sum(tf.mul(#1, #2), -1, true)",
    js: '(#1 * #2)',
    // Summed in class order, as `rows` does.
    jsRow: 'let #o = 0; for (let c = 0; c < cols; c++) #o += #1 * #2;',
    // The same sum where #2 is computed only where it counts (#f2: where it is finite); a
    // skipped term is ±0, and adding ±0 to a sum that starts at +0 never changes it.
    jsRowSkip: 'let #o = 0; for (let c = 0; c < cols; c++) { const #tw = #1; if (#tw !== 0 || !#f2) #o += #tw * #2; }',
  },
  axis: 'dot',
  // Over one class: the product.
  value: (a, b) => a * b,
  // Summed in class order, the order every path keeps.
  rows: (out, R, C, a, b) => {
    const x = a.data;
    const y = b!.data;
    for (let r = 0; r < R; r++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += x[r * a.rs + c * a.cs]! * y[r * b!.rs + c * b!.cs]!;
      out[r] = s;
    }
  },
  derivative: [],
  vjp: ['Mul(?g,?b)', 'Mul(?g,?a)'],
  tensor: (tf, a, b) => tf.sum(tf.mul(a, b!), -1, true),
  properties: { commutative: true },
};
