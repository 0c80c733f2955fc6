import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';

/** Softmax: softmax over the class axis. */
export const softmax: OpSpec<'Softmax'> = {
  name: 'Softmax',
  arity: 1,
  description: "softmax over the class axis",
  searchDomains: ['binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'softmax' },
  latex: { template: '\\operatorname{softmax}\\left(#1\\right)', prec: PREC.atom, args: [0] },
  code: {
    python: "torch.softmax(#1, dim=-1)",
    tfjs: "tf.softmax(#1, -1)",
    // Over one class: e^(a−a)/e^(a−a) = 1, NaN for a non-finite a.
    js: '((#1 - #1) + 1)',
    // Shifted by the row maximum so that no exp overflows, as `rows` does.
    jsRow:
      'let #tm = -Infinity; for (let c = 0; c < cols; c++) #tm = Math.max(#tm, #1);\n' +
      'let #ts = 0; for (let c = 0; c < cols; c++) { const e = Math.exp(#1 - #tm); #o[c] = e; #ts += e; }\n' +
      'for (let c = 0; c < cols; c++) #o[c] /= #ts;',
  },
  axis: 'softmax',
  // Over one class: e^(a−a)/e^(a−a) = 1, NaN for a non-finite a.
  value: (a) => a - a + 1,
  // Shifted by the row maximum so that no exp overflows.
  rows: (out, R, C, a) => {
    const x = a.data;
    for (let r = 0; r < R; r++) {
      let max = -Infinity;
      for (let c = 0; c < C; c++) max = Math.max(max, x[r * a.rs + c * a.cs]!);
      let sum = 0;
      for (let c = 0; c < C; c++) {
        const e = Math.exp(x[r * a.rs + c * a.cs]! - max);
        out[r * C + c] = e;
        sum += e;
      }
      for (let c = 0; c < C; c++) out[r * C + c]! /= sum;
    }
  },
  derivative: [],
  vjp: ['Mul(Softmax(?a),Sub(?g,Dot(?g,Softmax(?a))))'],
  tensor: (tf, a) => tf.softmax(a, -1),
  properties: { range: [0, 1] },
};
