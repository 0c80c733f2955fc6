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
    // e^(x − max) with the difference's rounding d (Knuth's two-sum, exact) taken to first order:
    // rounding x − max alone costs up to |x − max|·2⁻²⁴ relative (~30 float32 ulps) where e^(x − max) is tiny.
    tfjs: "((x: tf.Tensor) => ((m: tf.Tensor) => ((s: tf.Tensor) => ((b: tf.Tensor) => ((e: tf.Tensor) => tf.div(e, tf.sum(e, -1, true)))(tf.mul(tf.exp(s), tf.add(1, tf.add(tf.sub(tf.neg(m), tf.sub(s, b)), tf.sub(x, b))))))(tf.add(s, m)))(tf.sub(x, m)))(tf.max(x, -1, true)))(#1)",
    // Over one class: e^(a−a)/e^(a−a) = 1, NaN for a non-finite a.
    js: '((#1 - #1) + 1)',
    // Shifted by the row maximum so that no exp overflows, as `rows` does.
    jsRow:
      'let #tm = -Infinity; for (let c = 0; c < cols; c++) #tm = Math.max(#tm, #1);\n' +
      'let #ts = 0; for (let c = 0; c < cols; c++) { const e = Math.exp(#1 - #tm); #o[c] = e; #ts += e; }\n' +
      'for (let c = 0; c < cols; c++) #o[c] /= #ts;',
    // A float32 softmax computes e^(x − max) from x − max rounded to float32, which costs up to
    // |x − max|·2⁻²⁴ relative (~30 float32 ulps) in the tail; e^δ ≈ 1 + δ restores that rounding δ
    // to first order (δ is NaN only for an infinite or NaN x − max, whose value needs no correction:
    // a NaN in the row, which the max skips, makes the float32 softmax NaN throughout).
    jsRowGiven: {
      row: 'let #tm = -Infinity; for (let c = 0; c < cols; c++) { const x = #1; if (x > #tm) #tm = x; }',
      at: 'const #td = #1 - #tm; const #te = #td - Math.fround(#td); const #v = #g * (1 + (#te === #te ? #te : 0));',
    },
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
  tensor: (tf, a) => {
    const m = tf.max(a, -1, true);
    const d = tf.sub(a, m);
    // Knuth's two-sum of a and −m: b is the part of d that came from a.
    const b = tf.add(d, m);
    const err = tf.add(tf.sub(tf.neg(m), tf.sub(d, b)), tf.sub(a, b));
    const e = tf.mul(tf.exp(d), tf.add(1, err));
    return tf.div(e, tf.sum(e, -1, true));
  },
  properties: { range: [0, 1] },
};
