/**
 * tfjs export: self-contained, typed TypeScript over `tf.Tensor`s (float32),
 * built from the registry's `code.tfjs` templates in SSA form inside
 * `tf.tidy`, so intermediates are freed.
 *
 * Two functions are emitted:
 * - `<name>Elementwise(...)` on the language's inputs, broadcast to their
 *   common shape;
 * - `<name>(...)` on training tensors, with the conventions of SEMANTICS.md
 *   ("How the reference trains"), as the PyTorch export's `forward`:
 *   `multi` and `binary` take logits, integer labels and IoUs; `reg` takes
 *   predicted and target boxes (x1, y1, x2, y2).
 */
import { BOX_EPS, EXP_CLAMP, FOCAL_ALPHA, GUARD_EPS } from '../symbolic/constants.js';
import { DOMAINS, type Domain } from '../symbolic/domains.js';
import type { Node } from '../symbolic/node.js';
import { toInfix } from '../render/infix.js';
import { toPrefix } from '../render/prefix.js';
import { toNumber } from '../symbolic/rational.js';
import { checkIdentifier, ExportError } from './names.js';
import type { ExportOptions } from './pytorch.js';

/** The tfjs packages a generated module may import (the same API; the node ones run native kernels). */
export const TF_PACKAGES = ['@tensorflow/tfjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'] as const;
export type TfPackage = (typeof TF_PACKAGES)[number];

export interface TfjsExportOptions extends ExportOptions {
  /** Package the module imports `tf` from. Default `@tensorflow/tfjs`. */
  readonly tfPackage?: TfPackage;
}
import { registryTemplate, toSsa, type SsaTarget } from './ssa.js';

/** Constants have the rank of the domain's values ([1, 1] or [1]) so that the axis ops accept them. */
function target(domain: Domain): SsaTarget {
  const lift = (x: string): string => (DOMAINS[domain].classAxis ? `tf.tensor2d([[${x}]])` : `tf.tensor1d([${x}])`);
  return {
    input: (name) => name,
    // The double nearest the exact constant; the tensor rounds it once more, to float32.
    constant: (v) => lift(numberLiteral(toNumber(v))),
    pi: lift('Math.PI'),
    template: registryTemplate('tfjs'),
    assign: (v, e) => `const ${v}: tf.Tensor = ${e};`,
  };
}

function numberLiteral(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

const indent = (lines: readonly string[], n: number): string => lines.map((l) => `${' '.repeat(n)}${l}`).join('\n');

function training(domain: Domain, name: string): string {
  const el = `${name}Elementwise`;
  if (domain === 'reg') {
    return `/** Loss on N×4 predicted and target boxes (x1, y1, x2, y2): I clipped overlap, U and E with the reference's ${BOX_EPS}. */
export function ${name}(pred: tf.Tensor2D, target: tf.Tensor2D, options: LossOptions = {}): tf.Tensor {
  return tf.tidy(() => {
    const col = (t: tf.Tensor2D, k: number): tf.Tensor1D => tf.squeeze(tf.slice(t, [0, k], [-1, 1]), [1]);
    const [px1, py1, px2, py2] = [0, 1, 2, 3].map((k) => col(pred, k)) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    const [tx1, ty1, tx2, ty2] = [0, 1, 2, 3].map((k) => col(target, k)) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    const iw = tf.relu(tf.sub(tf.minimum(px2, tx2), tf.maximum(px1, tx1)));
    const ih = tf.relu(tf.sub(tf.minimum(py2, ty2), tf.maximum(py1, ty1)));
    const I = tf.mul(iw, ih);
    const areaP = tf.mul(tf.sub(px2, px1), tf.sub(py2, py1));
    const areaT = tf.mul(tf.sub(tx2, tx1), tf.sub(ty2, ty1));
    const U = tf.add(tf.sub(tf.add(areaP, areaT), I), ${BOX_EPS});
    const ew = tf.relu(tf.sub(tf.maximum(px2, tx2), tf.minimum(px1, tx1)));
    const eh = tf.relu(tf.sub(tf.maximum(py2, ty2), tf.minimum(py1, ty1)));
    const E = tf.add(tf.mul(ew, eh), ${BOX_EPS});
    return reduce(${el}(U, I, E), options);
  });
}`;
  }
  if (domain === 'binary') {
    return `/** Loss on N×C logits (no background column), N integer labels (C = background) and N IoUs; weighted by α_t as focal loss. */
export function ${name}(clsScore: tf.Tensor2D, label: tf.Tensor1D, iou: tf.Tensor1D, options: LossOptions = {}): tf.Tensor {
  return tf.tidy(() => {
    const X = tf.cast(clsScore, 'float32');
    const nCls = X.shape[1];
    const PY = tf.cast(tf.slice(tf.oneHot(tf.cast(label, 'int32'), nCls + 1), [0, 0], [-1, nCls]), 'float32');
    const Q = tf.mul(PY, tf.expandDims(tf.cast(iou, 'float32'), 1));
    const NY = tf.sub(1, PY);
    const alphaT = tf.add(tf.mul(${FOCAL_ALPHA}, PY), tf.mul(${1 - FOCAL_ALPHA}, NY));
    return reduce(tf.mul(${el}(X, Q, PY, NY), alphaT), options);
  });
}`;
  }
  return `/** Loss on N×(C+1) logits (background last), N integer labels (C = background) and N IoUs (1 for negatives). */
export function ${name}(clsScore: tf.Tensor2D, label: tf.Tensor1D, iou: tf.Tensor1D, options: LossOptions = {}): tf.Tensor {
  return tf.tidy(() => {
    const X = tf.cast(clsScore, 'float32');
    const nCls = X.shape[1];
    const labels = tf.cast(label, 'int32');
    const Y = tf.cast(tf.oneHot(labels, nCls), 'float32');
    const w = tf.where(tf.less(labels, nCls - 1), tf.cast(iou, 'float32'), tf.onesLike(tf.cast(iou, 'float32')));
    const Z = tf.mul(tf.expandDims(w, 1), tf.onesLike(X));
    const value = ${name}Natural(X, Y, Z);
    // A class-reduced value is the sample's loss; an elementwise one is summed over classes.
    const perSample = value.rank === 2 && value.shape[1] === 1 ? tf.reshape(value, [-1]) : tf.sum(tf.broadcastTo(value, X.shape), -1);
    return reduce(perSample, options);
  });
}`;
}

/**
 * tfjs TypeScript source for `tree`: a module importing `@tensorflow/tfjs`.
 *
 * @example
 * toTfjs(parse('Sub(1,Div(I,U))').tree, 'reg', { name: 'iouLoss' })
 * // "import * as tf from '@tensorflow/tfjs';\n…export function iouLossElementwise(U: tf.Tensor, …"
 */
export function toTfjs(tree: Node, domain: Domain, options: TfjsExportOptions): string {
  const name = checkIdentifier(options.name);
  const pkg = options.tfPackage ?? '@tensorflow/tfjs';
  if (!(TF_PACKAGES as readonly string[]).includes(pkg)) throw new ExportError(`--tf-package must be one of ${TF_PACKAGES.join(', ')}`);
  const params = DOMAINS[domain].inputs.map((i) => i.name);
  const ssa = toSsa(tree, target(domain));
  const sig = params.map((p) => `${p}: tf.Tensor`).join(', ');
  return `// Generated by autoloss. Domain: ${domain}.
// prefix: ${toPrefix(tree)}
// infix:  ${toInfix(tree, domain)}
// Guards as in the CSE-Autoloss reference: Div(a, b) = a / (b + ${GUARD_EPS}), Log(a) = log(a + ${GUARD_EPS}), Exp(a) = exp(min(a, ${EXP_CLAMP})).
import * as tf from '${pkg}';

export interface LossOptions {
  /** Per-sample (or per-element) weights multiplied into the loss. */
  readonly weight?: tf.Tensor;
  /** With reduction 'mean': divide the sum by this instead of the element count. */
  readonly avgFactor?: number;
  readonly reduction?: 'none' | 'mean' | 'sum';
}

/** The expression with natural shapes (a class-reducing Dot gives N×1; a constant has shape [1, 1] or [1]). */
export function ${name}Natural(${sig}): tf.Tensor {
  return tf.tidy(() => {
${indent(ssa.lines, 4)}
    return ${ssa.result};
  });
}

/** The expression on the language's inputs, broadcast to their common shape. */
export function ${name}Elementwise(${sig}): tf.Tensor {
  return tf.tidy(() => tf.broadcastTo(${name}Natural(${params.join(', ')}), broadcastShape([${params.map((p) => `${p}.shape`).join(', ')}])));
}

${training(domain, name)}

function broadcastShape(shapes: readonly number[][]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + k] ?? 1;
      if (v !== 1) {
        if (d !== 1 && d !== v) throw new Error(\`shapes [\${shapes.join('], [')}] do not broadcast\`);
        d = v;
      }
    }
    out.push(d);
  }
  return out;
}

function reduce(loss: tf.Tensor, options: LossOptions): tf.Tensor {
  const weighted = options.weight ? tf.mul(loss, options.weight) : loss;
  const reduction = options.reduction ?? 'mean';
  if (reduction === 'none') return weighted;
  if (options.avgFactor !== undefined) {
    if (reduction !== 'mean') throw new Error("avgFactor can only be used with reduction 'mean'");
    return tf.div(tf.sum(weighted), options.avgFactor + 1.1920928955078125e-7);
  }
  return reduction === 'mean' ? tf.mean(weighted) : tf.sum(weighted);
}
`;
}
