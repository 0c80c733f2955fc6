/**
 * PyTorch export: a self-contained `nn.Module` whose `forward` takes the
 * tensors the paper's released training code passes to a loss, and applies
 * the guards and conventions of SEMANTICS.md ("How the reference trains"):
 * - `multi`: `forward(cls_score, label, iou)`: logits over C+1 classes with
 *   background last, integer labels (C for background), the IoU of each
 *   sample's predicted box with its target (detached; 1 for negatives,
 *   broadcast over classes). A per-sample loss is the expression's value when
 *   it reduces the class axis (Dot), its sum over classes otherwise.
 * - `binary`: `forward(cls_score, label, iou)`: logits over C classes without
 *   background, PY one-hot of the label (zeros for background), Q = PY·IoU
 *   (detached), NY = 1 − PY; the elementwise loss is weighted by
 *   α_t = 0.25·PY + 0.75·(1 − PY) as focal loss is.
 * - `reg`: `forward(pred, target)`: boxes (x1, y1, x2, y2); I the clipped
 *   overlap, U = area_p + area_t − I + 1e-7, E = enclosing area + 1e-7.
 * All take mmdetection's `weight`, `avg_factor` and `reduction_override`.
 * The static `elementwise(...)` evaluates the expression on the language's
 * own inputs, broadcast to their common shape (as `autoloss eval` does).
 */
import { BOX_EPS, EXP_CLAMP, FOCAL_ALPHA, GUARD_EPS } from '../symbolic/constants.js';
import { DOMAINS, type Domain } from '../symbolic/domains.js';
import type { Node } from '../symbolic/node.js';
import { toInfix } from '../render/infix.js';
import { toPrefix } from '../render/prefix.js';
import { shapeOf } from '../symbolic/shape.js';
import { checkIdentifier } from './names.js';
import { registryTemplate, toSsa, type SsaTarget } from './ssa.js';

export interface ExportOptions {
  /** Class (PyTorch) or function (tfjs) name; a checked identifier. */
  readonly name: string;
}

const PY_TARGET: SsaTarget = {
  input: (name) => name,
  // Python's int / int division is correctly rounded, so n / d is the nearest double to the exact constant.
  constant: (v) => `_c(${v.d === 1n ? `${v.n}` : `${v.n} / ${v.d}`})`,
  pi: '_c(math.pi)',
  template: registryTemplate('python'),
  assign: (v, e) => `${v} = ${e}`,
};

const indent = (lines: readonly string[], n: number): string => lines.map((l) => (l ? `${' '.repeat(n)}${l}` : '')).join('\n');

/** Python: U, I, E of two N×4 box tensors as the reference computes them; shared by every Python exporter. */
export const PY_BOX_INPUTS = `def box_inputs(pred, target):
    """U, I, E of N×4 boxes (x1, y1, x2, y2), with the reference's ${BOX_EPS}."""
    lt = torch.max(pred[:, :2], target[:, :2])
    rb = torch.min(pred[:, 2:], target[:, 2:])
    wh = (rb - lt).clamp(min=0)
    I = wh[:, 0] * wh[:, 1]
    area_p = (pred[:, 2] - pred[:, 0]) * (pred[:, 3] - pred[:, 1])
    area_t = (target[:, 2] - target[:, 0]) * (target[:, 3] - target[:, 1])
    U = area_p + area_t - I + ${BOX_EPS}
    enclose_wh = (torch.max(pred[:, 2:], target[:, 2:]) - torch.min(pred[:, :2], target[:, :2])).clamp(min=0)
    E = enclose_wh[:, 0] * enclose_wh[:, 1] + ${BOX_EPS}
    return U, I, E`;

function training(domain: Domain): string {
  if (domain === 'multi') {
    return `    def forward(self, cls_score, label, iou, weight=None, avg_factor=None, reduction_override=None):
        """cls_score: N×(C+1) logits, background last; label: N ints (C = background); iou: N."""
        X = cls_score
        n_cls = X.shape[-1]
        Y = torch.nn.functional.one_hot(label.long(), n_cls).to(X.dtype)
        positive = label.long() < n_cls - 1
        w = torch.where(positive, iou.detach().to(X.dtype), torch.ones_like(iou, dtype=X.dtype))
        Z = w.unsqueeze(-1).expand_as(X)
        value = self._natural(X, Y, Z)
        # A class-reduced value is the sample's loss; an elementwise one is summed over classes.
        loss = value.reshape(-1) if value.dim() == 2 and value.shape[-1] == 1 else torch.broadcast_to(value, X.shape).sum(dim=-1)
        return self._reduce(loss, weight, avg_factor, reduction_override)`;
  }
  if (domain === 'binary') {
    return `    def forward(self, cls_score, label, iou, weight=None, avg_factor=None, reduction_override=None):
        """cls_score: N×C logits, no background column; label: N ints (C = background); iou: N."""
        X = cls_score
        n_cls = X.shape[-1]
        PY = torch.nn.functional.one_hot(label.long(), n_cls + 1)[:, :n_cls].to(X.dtype)
        Q = PY * iou.detach().to(X.dtype).unsqueeze(-1)
        NY = 1 - PY
        alpha_t = ${FOCAL_ALPHA} * PY + ${1 - FOCAL_ALPHA} * (1 - PY)
        loss = self.elementwise(X, Q, PY, NY) * alpha_t
        return self._reduce(loss, weight, avg_factor, reduction_override)`;
  }
  return `    def forward(self, pred, target, weight=None, avg_factor=None, reduction_override=None):
        """pred, target: N×4 boxes (x1, y1, x2, y2)."""
        U, I, E = box_inputs(pred, target)
        loss = self.elementwise(U, I, E)
        if weight is not None and weight.dim() > 1:
            weight = weight.mean(-1)
        return self._reduce(loss, weight, avg_factor, reduction_override)`;
}

/**
 * The expression as Python statements over torch tensors, for a function
 * whose parameters are the domain's inputs: SSA lines then `return`, at
 * `indentBy` spaces. Shared by every Python exporter (nn.Module, mmdetection).
 *
 * @example
 * pythonBody(parse('Sub(1,Div(I,U))').tree, 'reg', 4)
 * // '    ref = U\n    def _c(value): …\n    v0 = _c(1)\n    v1 = I / (U + 1e-20)\n    v2 = v0 - v1\n    return v2'
 */
export function pythonBody(tree: Node, domain: Domain, indentBy: number): string {
  const params = DOMAINS[domain].inputs.map((i) => i.name);
  const ssa = toSsa(tree, PY_TARGET);
  return indent(
    [
      `ref = ${params[0]}`,
      '',
      'def _c(value):',
      '    return torch.tensor(value, dtype=ref.dtype, device=ref.device)',
      '',
      ...ssa.lines,
      `return ${ssa.result}`,
    ],
    indentBy,
  );
}

/**
 * PyTorch source for `tree`: one module, imports included.
 *
 * @example
 * toPytorch(parse('Sub(1,Div(I,U))').tree, 'reg', { name: 'IouLoss' })
 * // 'import math\nimport torch\n…class IouLoss(nn.Module): …'
 */
export function toPytorch(tree: Node, domain: Domain, options: ExportOptions): string {
  const name = checkIdentifier(options.name);
  const params = DOMAINS[domain].inputs.map((i) => i.name);
  const natural = shapeOf(tree, domain);
  return `# Generated by autoloss. Domain: ${domain}.
# prefix: ${toPrefix(tree)}
# infix:  ${toInfix(tree, domain)}
import math

import torch
from torch import nn
${domain === 'reg' ? `\n\n${PY_BOX_INPUTS}\n` : ''}

class ${name}(nn.Module):
    """Loss of domain '${domain}' (${DOMAINS[domain].description}).

    Guards as in the CSE-Autoloss reference: Div(a, b) = a / (b + ${GUARD_EPS}),
    Log(a) = log(a + ${GUARD_EPS}), Exp(a) = exp(min(a, ${EXP_CLAMP})).
    """

    def __init__(self, reduction="mean", loss_weight=1.0):
        super().__init__()
        if reduction not in ("none", "mean", "sum"):
            raise ValueError(f"reduction must be 'none', 'mean' or 'sum', not {reduction!r}")
        self.reduction = reduction
        self.loss_weight = loss_weight

    @staticmethod
    def _natural(${params.join(', ')}):
        """The expression with natural shapes (${natural === 1 ? 'N×1: it reduces the class axis' : natural === 0 ? 'a constant' : 'elementwise'})."""
${pythonBody(tree, domain, 8)}

    @staticmethod
    def elementwise(${params.join(', ')}):
        """The expression on the language's inputs, broadcast to their common shape."""
        shape = torch.broadcast_shapes(${params.map((p) => `${p}.shape`).join(', ')})
        return torch.broadcast_to(${name}._natural(${params.join(', ')}), shape)

${training(domain)}

    def _reduce(self, loss, weight, avg_factor, reduction_override):
        reduction = reduction_override if reduction_override is not None else self.reduction
        if weight is not None:
            loss = loss * weight
        if reduction == "none":
            out = loss
        elif avg_factor is not None:
            if reduction != "mean":
                raise ValueError("avg_factor can only be used with reduction='mean'")
            out = loss.sum() / (avg_factor + torch.finfo(loss.dtype).eps)
        elif reduction == "mean":
            out = loss.mean()
        else:
            out = loss.sum()
        return self.loss_weight * out
`;
}
