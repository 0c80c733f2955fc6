/**
 * mmdetection export: a Python module that registers a loss with
 * mmdetection's registry (`mmdet.registry.MODELS` in 3.x,
 * `mmdet.models.builder.LOSSES` in 2.x) and follows its loss interface:
 * `forward(pred, target, weight=None, avg_factor=None, reduction_override=None)`,
 * `reduction` and `loss_weight` in the constructor, and mmdetection's
 * `weight_reduce_loss` semantics (weights multiply the element-wise loss;
 * with `avg_factor`, 'mean' is `sum / (avg_factor + eps_float32)`, 'none'
 * ignores it and 'sum' refuses it).
 *
 * The inputs are built as the paper's released training code builds them
 * (SEMANTICS.md, "How the reference trains"):
 * - classification (`multi`, `binary`): logits, integer labels (C =
 *   background) and IoU-quality targets, either as mmdetection's
 *   quality-target pair `target = (labels, ious)` (one IoU per sample, as
 *   QualityFocalLoss takes) or as the paper's `pos_ious` (one IoU per
 *   positive sample, in order). Without IoUs, the reference's defaults apply
 *   (w = 1 for `multi`, w·y = 0 for `binary`) and a warning says so when the
 *   expression reads them;
 * - regression: decoded boxes (x1, y1, x2, y2) and their targets.
 *
 * The expression itself comes from the PyTorch exporter's code generator
 * (`pythonBody`), so both exports compute the same numbers.
 */
import { EXP_CLAMP, FOCAL_ALPHA, GUARD_EPS } from '../symbolic/constants.js';
import { DOMAINS, type Domain } from '../symbolic/domains.js';
import { inputsOf, type Node } from '../symbolic/node.js';
import { toInfix } from '../render/infix.js';
import { toPrefix } from '../render/prefix.js';
import { checkIdentifier } from './names.js';
import { PY_BOX_INPUTS, pythonBody } from './pytorch.js';

import type { LossSlot } from './targets.js';

/** The slot a domain's losses fill. */
export function slotOf(domain: Domain): LossSlot {
  return domain === 'reg' ? 'loss_bbox' : 'loss_cls';
}

/** `AutolossBCls` → `autoloss_b_cls`: the module's file and import name. */
export function moduleName(className: string): string {
  return className
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

const REGISTRY = (name: string): string => `try:  # mmdetection 3.x
    from mmdet.registry import MODELS as _REGISTRY
except ImportError:
    try:  # mmdetection 2.x
        from mmdet.models.builder import LOSSES as _REGISTRY
    except ImportError as error:
        raise ImportError(
            "${name} registers itself with mmdetection: install mmdet "
            "(3.x: mmdet.registry.MODELS; 2.x: mmdet.models.builder.LOSSES)"
        ) from error`;

const REDUCE = `def weight_reduce_loss(loss, weight=None, reduction="mean", avg_factor=None):
    """mmdetection's reduction: element-wise weights, then none/mean/sum or sum / avg_factor."""
    if weight is not None:
        loss = loss * weight
    if avg_factor is None:
        if reduction == "mean":
            return loss.mean()
        if reduction == "sum":
            return loss.sum()
        return loss
    if reduction == "mean":
        # as mmdetection: float32's eps keeps an avg_factor of 0 finite
        return loss.sum() / (avg_factor + torch.finfo(torch.float32).eps)
    if reduction != "none":
        raise ValueError('avg_factor can not be used with reduction="sum"')
    return loss


def _reduction(default, override):
    if override not in (None, "none", "mean", "sum"):
        raise ValueError(f"reduction_override must be None, 'none', 'mean' or 'sum', not {override!r}")
    return override if override else default`;

const IOUS = `def _sample_ious(target, pos_ious, positive):
    """(labels, one IoU per sample or None) from mmdetection's target or the paper's pos_ious."""
    if isinstance(target, (tuple, list)):
        labels, ious = target
        ious = None if ious is None else ious.detach().reshape(-1)
    else:
        labels, ious = target, None
    labels = labels.long().reshape(-1)
    if pos_ious is not None:
        if ious is not None:
            raise ValueError("pass IoUs either in target=(labels, ious) or as pos_ious, not both")
        pos = positive(labels)
        pos_ious = pos_ious.detach().reshape(-1)
        if pos_ious.numel() != int(pos.sum()):
            raise ValueError(f"pos_ious has {pos_ious.numel()} values for {int(pos.sum())} positive samples")
        ious = torch.zeros(labels.shape, dtype=pos_ious.dtype, device=pos_ious.device)
        ious[pos] = pos_ious
    return labels, ious`;

function classification(domain: 'multi' | 'binary', name: string, readsIou: boolean): string {
  const params = DOMAINS[domain].inputs.map((i) => i.name);
  const warn = readsIou
    ? `
        if ious is None and not self._warned:
            self._warned = True
            warnings.warn("${name}: no IoU targets given (target=(labels, ious) or pos_ious); "
                          "using the reference's default ${domain === 'multi' ? 'w = 1' : 'w = 0'}")`
    : '';
  const ctorExtra = domain === 'binary' ? `use_sigmoid=True, alpha=${FOCAL_ALPHA}, ` : '';
  const ctorBody =
    domain === 'binary'
      ? `
        if not use_sigmoid:
            raise ValueError("${name} is a per-class sigmoid loss: use_sigmoid must be True")
        self.use_sigmoid = True
        self.alpha = alpha`
      : '';
  const build =
    domain === 'binary'
      ? `        n_cls = X.shape[-1]
        labels, ious = _sample_ious(target, pos_ious, lambda l: (l >= 0) & (l < n_cls))
        positive = (labels >= 0) & (labels < n_cls)
        safe = torch.where(positive, labels, torch.full_like(labels, n_cls))
        PY = torch.nn.functional.one_hot(safe, n_cls + 1)[:, :n_cls].to(X.dtype)
        iou = torch.zeros(labels.shape, dtype=X.dtype, device=X.device) if ious is None else ious.to(X.dtype)
        Q = PY * iou.unsqueeze(-1)
        NY = 1 - PY${warn}
        loss = elementwise(X, Q, PY, NY)
        if self.alpha >= 0:
            loss = loss * (self.alpha * PY + (1 - self.alpha) * (1 - PY))`
      : `        n_cls = X.shape[-1]
        labels, ious = _sample_ious(target, pos_ious, lambda l: (l >= 0) & (l < n_cls - 1))
        positive = (labels >= 0) & (labels < n_cls - 1)
        Y = torch.nn.functional.one_hot(labels.clamp(0, n_cls - 1), n_cls).to(X.dtype)
        ones = torch.ones(labels.shape, dtype=X.dtype, device=X.device)
        w = ones if ious is None else torch.where(positive, ious.to(X.dtype), ones)
        Z = w.unsqueeze(-1).expand_as(X)${warn}
        value = _natural(X, Y, Z)
        # a class-reducing value (Dot) is the sample's loss; an element-wise one is summed over classes
        loss = value.reshape(-1) if value.dim() == 2 and value.shape[-1] == 1 else torch.broadcast_to(value, X.shape).sum(dim=-1)`;
  const doc =
    domain === 'binary'
      ? `cls_score: N×C logits (no background column); target: N labels (C = background) or
        (labels, ious) with one IoU per sample; pos_ious: one IoU per positive sample (the
        paper's heads). The element-wise loss is weighted by alpha_t as focal loss is; a
        weight of N values weighs each sample's row.`
      : `cls_score: N×(C+1) logits, background last; target: N labels (C = background) or
        (labels, ious) with one IoU per sample; pos_ious: one IoU per positive sample (the
        paper's heads). Returns one loss per sample with reduction 'none'.`;
  return `@_REGISTRY.register_module(name="${name}")
class ${name}(nn.Module):
    """Classification loss of domain '${domain}' for mmdetection's \`loss_cls\`."""

    def __init__(self, ${ctorExtra}reduction="mean", loss_weight=1.0):
        super().__init__()${ctorBody}
        self.reduction = _reduction(reduction, None)
        self.loss_weight = loss_weight
        self._warned = False

    def forward(self, cls_score, target, weight=None, avg_factor=None, reduction_override=None, pos_ious=None, **kwargs):
        """${doc}"""
        reduction = _reduction(self.reduction, reduction_override)
        X = cls_score
${build}
        if weight is not None and weight.dim() == 1 and loss.dim() > 1:
            weight = weight.reshape(-1, 1)
        return self.loss_weight * weight_reduce_loss(loss, weight, reduction, avg_factor)

    def loss_from_inputs(self, ${params.join(', ')}, weight=None, avg_factor=None, reduction_override=None):
        """The expression on the language's own inputs (${params.join(', ')}), reduced as forward reduces."""
        reduction = _reduction(self.reduction, reduction_override)
        loss = elementwise(${params.join(', ')})
        if weight is not None and weight.dim() == 1 and loss.dim() > 1:
            weight = weight.reshape(-1, 1)
        return self.loss_weight * weight_reduce_loss(loss, weight, reduction, avg_factor)`;
}

function regression(name: string): string {
  return `${PY_BOX_INPUTS}


@_REGISTRY.register_module(name="${name}")
class ${name}(nn.Module):
    """Box regression loss for mmdetection's \`loss_bbox\` (decoded boxes: set reg_decoded_bbox=True in R-CNN heads)."""

    def __init__(self, reduction="mean", loss_weight=1.0):
        super().__init__()
        self.reduction = _reduction(reduction, None)
        self.loss_weight = loss_weight

    def forward(self, pred, target, weight=None, avg_factor=None, reduction_override=None, **kwargs):
        """pred, target: N×4 decoded boxes; weight: N or N×4 (averaged over the 4 coordinates)."""
        reduction = _reduction(self.reduction, reduction_override)
        if weight is not None and not torch.any(weight > 0) and reduction != "none":
            # as mmdetection's IoU losses: no positive sample gives 0 still attached to the graph
            if pred.dim() == weight.dim() + 1:
                weight = weight.unsqueeze(1)
            return (pred * weight).sum()
        if weight is not None and weight.dim() > 1:
            weight = weight.mean(-1)
        U, I, E = box_inputs(pred, target)
        loss = elementwise(U, I, E)
        return self.loss_weight * weight_reduce_loss(loss, weight, reduction, avg_factor)

    def loss_from_inputs(self, U, I, E, weight=None, avg_factor=None, reduction_override=None):
        """The expression on the language's own inputs (U, I, E), reduced as forward reduces."""
        reduction = _reduction(self.reduction, reduction_override)
        return self.loss_weight * weight_reduce_loss(elementwise(U, I, E), weight, reduction, avg_factor)`;
}

/**
 * The mmdetection module for `tree`: registration, the element-wise
 * expression, mmdetection's reduction and the loss class named `name`.
 *
 * @example
 * toMmdet(parse('autoloss-b-reg').tree, 'reg', { name: 'AutolossBReg' })
 * // '# Generated by autoloss. …@_REGISTRY.register_module(name="AutolossBReg")\nclass AutolossBReg(nn.Module): …'
 */
export function toMmdet(tree: Node, domain: Domain, options: { readonly name: string }): string {
  const name = checkIdentifier(options.name);
  const params = DOMAINS[domain].inputs.map((i) => i.name);
  const used = inputsOf(tree);
  const readsIou = domain === 'multi' ? used.has('Z') : used.has('Q');
  const body = domain === 'reg' ? regression(name) : classification(domain, name, readsIou);
  return `# Generated by autoloss. Domain: ${domain}; mmdetection slot: ${slotOf(domain)}.
# prefix: ${toPrefix(tree)}
# infix:  ${toInfix(tree, domain)}
# Guards as in the CSE-Autoloss reference: Div(a, b) = a / (b + ${GUARD_EPS}),
# Log(a) = log(a + ${GUARD_EPS}), Exp(a) = exp(min(a, ${EXP_CLAMP})).
import math
import warnings

import torch
from torch import nn

${REGISTRY(name)}


def _natural(${params.join(', ')}):
    """The expression with natural shapes (a class-reducing Dot keeps a class axis of 1)."""
${pythonBody(tree, domain, 4)}


def elementwise(${params.join(', ')}):
    """The expression on the language's inputs, broadcast to their common shape."""
    shape = torch.broadcast_shapes(${params.map((p) => `${p}.shape`).join(', ')})
    return torch.broadcast_to(_natural(${params.join(', ')}), shape)


${REDUCE}
${domain === 'reg' ? '' : `\n\n${IOUS}`}


${body}
`;
}
