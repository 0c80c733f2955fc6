"""PyTorch peer of bench/train.ts: one training step (forward, target
assignment, losses, backward, Adam) of the same detector on the same batch:
FCOS (focal + GIoU + centerness) or Faster R-CNN (RPN BCE + L1, RoIAlign,
cross-entropy + L1 on deltas). Reads a JSON spec from argv[1] naming a binary
batch file; prints one JSON line with median wall/CPU milliseconds and the
process's thread count after the steps."""
import json
import math
import sys

import torch
from peer_timing import live_threads, median_ms, use_threads

spec = json.loads(sys.argv[1])
use_threads(torch, spec.get("threads", 1))

import numpy as np  # noqa: E402  (after the thread set-up)
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.manual_seed(0)
B, S, C = spec["batch"], spec["size"], spec["classes"]
CH, FPN, STRIDES = spec["channels"], spec["fpn"], spec["strides"]
HEAD_CONVS = spec.get("headConvs", 2)
raw = np.fromfile(spec["images"], dtype=np.float32).reshape(B, S, S, 3)
images = torch.from_numpy(raw).permute(0, 3, 1, 2).contiguous()
gts = [(torch.tensor(t["boxes"], dtype=torch.float32).reshape(-1, 4), torch.tensor(t["labels"], dtype=torch.long)) for t in spec["targets"]]


class Trunk(nn.Module):
    """Backbone (stride-2 conv, then a stride-1 conv from stage 2 on) and top-down FPN, as src/detect/network.ts."""

    def __init__(self):
        super().__init__()
        self.down, self.conv = nn.ModuleList(), nn.ModuleList()
        cin = 3
        for i, c in enumerate(CH):
            self.down.append(nn.Conv2d(cin, c, 3, 2, 1))
            self.conv.append(nn.Conv2d(c, c, 3, 1, 1) if i > 0 else nn.Identity())
            cin = c
        self.levels = [3, 4, 5]
        self.lat = nn.ModuleList([nn.Conv2d(CH[l - 1], FPN, 1) for l in self.levels])
        self.out = nn.ModuleList([nn.Conv2d(FPN, FPN, 3, 1, 1) for _ in self.levels])

    def forward(self, x):
        stages = []
        for i in range(len(CH)):
            x = F.relu(self.down[i](x))
            if i > 0:
                x = F.relu(self.conv[i](x))
            stages.append(x)
        feats, top = {}, None
        for j in reversed(range(3)):
            lat = self.lat[j](stages[self.levels[j] - 1])
            if top is not None:
                lat = lat + F.interpolate(top, size=lat.shape[-2:], mode="nearest")
            top = lat
            feats[j] = self.out[j](lat)
        return [feats[j] for j in range(3)]


# ---------------------------------------------------------------- FCOS
class Fcos(nn.Module):
    """P3-P5 from the trunk, P6/P7 by stride-2 convolutions (FCOS's), towers of conv + GroupNorm + ReLU."""

    def __init__(self):
        super().__init__()
        self.trunk = Trunk()
        self.extra = nn.ModuleList([nn.Conv2d(FPN, FPN, 3, 2, 1) for _ in range(len(STRIDES) - 3)])
        groups = max(g for g in range(1, min(32, FPN // 4) + 1) if FPN % g == 0)
        tower = lambda: nn.Sequential(nn.Conv2d(FPN, FPN, 3, 1, 1, bias=False), nn.GroupNorm(groups, FPN), nn.ReLU())
        self.cls_t = nn.ModuleList([tower() for _ in range(HEAD_CONVS)])
        self.reg_t = nn.ModuleList([tower() for _ in range(HEAD_CONVS)])
        self.cls = nn.Conv2d(FPN, C, 3, 1, 1)
        self.box = nn.Conv2d(FPN, 4, 3, 1, 1)
        self.ctr = nn.Conv2d(FPN, 1, 3, 1, 1)
        self.scales = nn.Parameter(torch.ones(len(STRIDES)))

    def forward(self, x):
        feats = self.trunk(x)
        for j, conv in enumerate(self.extra):
            feats.append(conv(feats[-1] if j == 0 else F.relu(feats[-1])))
        cls, box, ctr = [], [], []
        for j in range(len(STRIDES)):
            c = r = feats[j]
            for k in range(HEAD_CONVS):
                c, r = self.cls_t[k](c), self.reg_t[k](r)
            flat = lambda t, k: t.permute(0, 2, 3, 1).reshape(B, -1, k)
            cls.append(flat(self.cls(c), C))
            box.append(flat(F.softplus(self.box(r) * self.scales[j]) * STRIDES[j], 4))
            ctr.append(flat(self.ctr(r), 1))
        sizes = [tuple(feats[j].shape[-2:]) for j in range(len(STRIDES))]
        return torch.cat(cls, 1), torch.cat(box, 1), torch.cat(ctr, 1), sizes


def points(sizes, strides):
    xs, ys, lv = [], [], []
    for j, (h, w) in enumerate(sizes):
        s = strides[j]
        yy, xx = torch.meshgrid(torch.arange(h) * s + s // 2, torch.arange(w) * s + s // 2, indexing="ij")
        xs.append(xx.reshape(-1).float()); ys.append(yy.reshape(-1).float()); lv.append(torch.full((h * w,), j))
    return torch.cat(xs), torch.cat(ys), torch.cat(lv)


def assign_fcos(px, py, lv, boxes, labels):
    n = px.numel()
    if boxes.numel() == 0:
        return torch.full((n,), C), torch.zeros(n, 4)
    st = torch.tensor(STRIDES, dtype=torch.float32)[lv]
    lo = torch.tensor([-1.0] + [2.0 * s for s in STRIDES[1:]])[lv]
    hi = torch.tensor([4.0 * s for s in STRIDES[:-1]] + [1e8])[lv]
    l = px[:, None] - boxes[None, :, 0]; t = py[:, None] - boxes[None, :, 1]
    r = boxes[None, :, 2] - px[:, None]; b = boxes[None, :, 3] - py[:, None]
    ltrb = torch.stack([l, t, r, b], -1)
    cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
    rad = st[:, None] * 1.5
    inside_c = (px[:, None] > torch.maximum(cx - rad, boxes[:, 0])) & (px[:, None] < torch.minimum(cx + rad, boxes[:, 2])) & \
               (py[:, None] > torch.maximum(cy - rad, boxes[:, 1])) & (py[:, None] < torch.minimum(cy + rad, boxes[:, 3]))
    m = ltrb.max(-1).values
    ok = (ltrb.min(-1).values > 0) & inside_c & (m > lo[:, None]) & (m <= hi[:, None])
    area = ((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))[None].expand(n, -1).clone()
    area[~ok] = float("inf")
    a, k = area.min(1)
    lab = torch.where(torch.isinf(a), torch.full_like(k, C), labels[k])
    return lab, boxes[k]


def giou(p, t):
    ix = (torch.minimum(p[:, 2], t[:, 2]) - torch.maximum(p[:, 0], t[:, 0])).clamp(min=0)
    iy = (torch.minimum(p[:, 3], t[:, 3]) - torch.maximum(p[:, 1], t[:, 1])).clamp(min=0)
    i = ix * iy
    u = (p[:, 2] - p[:, 0]) * (p[:, 3] - p[:, 1]) + (t[:, 2] - t[:, 0]) * (t[:, 3] - t[:, 1]) - i + 1e-7
    e = (torch.maximum(p[:, 2], t[:, 2]) - torch.minimum(p[:, 0], t[:, 0])) * (torch.maximum(p[:, 3], t[:, 3]) - torch.minimum(p[:, 1], t[:, 1])) + 1e-7
    return 1 - (i / u - (e - u) / e)


def fcos_loss(net):
    cls, box, ctr, sizes = net(images)
    px, py, lv = points(sizes, STRIDES)
    labs, tb = zip(*[assign_fcos(px, py, lv, b, l) for b, l in gts])
    labels = torch.cat(labs); tboxes = torch.cat(tb)
    cls, box, ctr = cls.reshape(-1, C), box.reshape(-1, 4), ctr.reshape(-1)
    pos = (labels < C).nonzero().squeeze(1)
    npos = max(pos.numel(), 1)
    y = F.one_hot(labels, C + 1)[:, :C].float()
    p = torch.sigmoid(cls)
    ce = F.binary_cross_entropy_with_logits(cls, y, reduction="none")
    pt = p * y + (1 - p) * (1 - y)
    loss_cls = ((0.25 * y + 0.75 * (1 - y)) * (1 - pt) ** 2 * ce).sum() / npos
    cx, cy = px.repeat(B)[pos], py.repeat(B)[pos]
    d = box[pos]
    pred = torch.stack([cx - d[:, 0], cy - d[:, 1], cx + d[:, 2], cy + d[:, 3]], 1)
    t = tboxes[pos]
    l, tt, r, b = cx - t[:, 0], cy - t[:, 1], t[:, 2] - cx, t[:, 3] - cy
    ctr_t = torch.sqrt((torch.minimum(l, r) / torch.maximum(l, r)) * (torch.minimum(tt, b) / torch.maximum(tt, b)))
    loss_reg = (giou(pred, t) * ctr_t).sum() / ctr_t.sum().clamp(min=1e-6)
    loss_ctr = F.binary_cross_entropy_with_logits(ctr[pos], ctr_t, reduction="sum") / npos
    return loss_cls + loss_reg + loss_ctr


# ---------------------------------------------------------------- Faster R-CNN
R = spec["rcnn"]
A = len(R["anchorSizes"]) * len(R["anchorRatios"])
MAX_LOG = abs(math.log(16 / 1000))
DELTA_STDS = torch.tensor([0.1, 0.1, 0.2, 0.2])


class FasterRcnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = Trunk()
        self.rpn = nn.Conv2d(FPN, FPN, 3, 1, 1)
        self.obj = nn.Conv2d(FPN, A, 1)
        self.dl = nn.Conv2d(FPN, 4 * A, 1)
        o = R["roiOut"]
        self.fc1 = nn.Linear(o * o * FPN, R["fc"])
        self.fc2 = nn.Linear(R["fc"], R["fc"])
        self.cls = nn.Linear(R["fc"], C + 1)
        self.reg = nn.Linear(R["fc"], 4 * C)


def anchors_for(h, w, s):
    ys, xs = torch.meshgrid(torch.arange(h) * s + s // 2, torch.arange(w) * s + s // 2, indexing="ij")
    ctr = torch.stack([xs.reshape(-1), ys.reshape(-1)], 1).float()
    half = torch.tensor([[size * math.sqrt(1 / r) / 2, size * math.sqrt(r) / 2] for size in R["anchorSizes"] for r in R["anchorRatios"]])
    return torch.cat([ctr[:, None] - half[None], ctr[:, None] + half[None]], 2).reshape(-1, 4)


def box_iou(a, b):
    lt = torch.maximum(a[:, None, :2], b[None, :, :2]); rb = torch.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = (rb - lt).clamp(min=0); inter = wh[..., 0] * wh[..., 1]
    area = lambda x: (x[:, 2] - x[:, 0]).clamp(min=0) * (x[:, 3] - x[:, 1]).clamp(min=0)
    u = area(a)[:, None] + area(b)[None] - inter
    return torch.where(u > 0, inter / u.clamp(min=1e-12), torch.zeros_like(u))


def assign_max_iou(cands, boxes, pos_iou, neg_iou, min_pos, low_quality):
    m = box_iou(cands, boxes)
    best, arg = m.max(1)
    gt = torch.where(best >= pos_iou, arg, torch.where(best < neg_iou, torch.full_like(arg, -1), torch.full_like(arg, -2)))
    if low_quality:
        gbest = m.max(0).values
        for k in range(boxes.shape[0]):
            if gbest[k] >= min_pos:
                gt[m[:, k] == gbest[k]] = k
    return gt


def sample(gt, num, frac):
    pos = (gt >= 0).nonzero().squeeze(1); neg = (gt == -1).nonzero().squeeze(1)
    pos = pos[torch.randperm(pos.numel())[: int(num * frac)]]
    neg = neg[torch.randperm(neg.numel())[: num - pos.numel()]]
    return pos.sort().values, neg.sort().values


def encode(a, g, stds):
    aw, ah = a[:, 2] - a[:, 0], a[:, 3] - a[:, 1]; ax, ay = a[:, 0] + 0.5 * aw, a[:, 1] + 0.5 * ah
    gw, gh = g[:, 2] - g[:, 0], g[:, 3] - g[:, 1]; gx, gy = g[:, 0] + 0.5 * gw, g[:, 1] + 0.5 * gh
    return torch.stack([(gx - ax) / aw, (gy - ay) / ah, torch.log(gw.clamp(min=1e-3) / aw), torch.log(gh.clamp(min=1e-3) / ah)], 1) / stds


def decode(a, d, stds):
    d = d * stds
    aw, ah = a[:, 2] - a[:, 0], a[:, 3] - a[:, 1]; ax, ay = a[:, 0] + 0.5 * aw, a[:, 1] + 0.5 * ah
    cx, cy = ax + d[:, 0] * aw, ay + d[:, 1] * ah
    w, h = aw * torch.exp(d[:, 2].clamp(-MAX_LOG, MAX_LOG)), ah * torch.exp(d[:, 3].clamp(-MAX_LOG, MAX_LOG))
    return torch.stack([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], 1)


def nms(boxes, scores, thr, max_out):
    order = scores.argsort(descending=True)
    boxes = boxes[order]
    iou = box_iou(boxes, boxes)
    removed = torch.zeros(len(order), dtype=torch.bool)
    keep = []
    for i in range(len(order)):
        if removed[i]:
            continue
        keep.append(i)
        if len(keep) >= max_out:
            break
        removed |= iou[i] > thr
    return order[torch.tensor(keep, dtype=torch.long)]


def roi_align(feat, rois, stride, out):
    """Aligned RoIAlign with one bilinear sample per bin (src/detect/roi-align.ts): feat [C,H,W], rois [R,4]."""
    c, h, w = feat.shape
    x1, y1 = rois[:, 0] / stride - 0.5, rois[:, 1] / stride - 0.5
    bw = ((rois[:, 2] / stride - 0.5 - x1).clamp(min=1e-3) / out)[:, None]
    bh = ((rois[:, 3] / stride - 0.5 - y1).clamp(min=1e-3) / out)[:, None]
    g = torch.arange(out, dtype=torch.float32) + 0.5
    y = (y1[:, None] + g[None] * bh)[:, :, None].expand(-1, out, out)
    x = (x1[:, None] + g[None] * bw)[:, None, :].expand(-1, out, out)
    valid = ((y >= -1) & (y <= h) & (x >= -1) & (x <= w)).float()
    y, x = y.clamp(0, h - 1), x.clamp(0, w - 1)
    y0, x0 = y.floor().long(), x.floor().long()
    y1i, x1i = (y0 + 1).clamp(max=h - 1), (x0 + 1).clamp(max=w - 1)
    ly, lx = y - y0, x - x0
    flat = feat.reshape(c, h * w)
    tap = lambda yy, xx: flat[:, (yy * w + xx).reshape(-1)].reshape(c, *yy.shape)
    v = tap(y0, x0) * ((1 - ly) * (1 - lx)) + tap(y0, x1i) * ((1 - ly) * lx) + tap(y1i, x0) * (ly * (1 - lx)) + tap(y1i, x1i) * (ly * lx)
    return (v * valid).permute(1, 2, 3, 0).reshape(rois.shape[0], -1)


def rcnn_loss(net):
    feat = net.trunk(images)[0]
    hf, wf = feat.shape[-2:]
    stride = STRIDES[0]
    r = F.relu(net.rpn(feat))
    obj = net.obj(r).permute(0, 2, 3, 1).reshape(B, -1)
    dl = net.dl(r).permute(0, 2, 3, 1).reshape(B, -1, 4)
    anchors = anchors_for(hf, wf, stride)
    ones = torch.ones(4)
    rpn_logit, rpn_lab, rpn_pd, rpn_td = [], [], [], []
    roi_feats, roi_labels, roi_td = [], [], []
    for i, (boxes, labels) in enumerate(gts):
        gt = assign_max_iou(anchors, boxes, 0.7, 0.3, 0.3, True)
        pos, neg = sample(gt, R["rpnSamples"], 0.5)
        rpn_logit += [obj[i, pos], obj[i, neg]]
        rpn_lab += [torch.ones(pos.numel()), torch.zeros(neg.numel())]
        rpn_pd.append(dl[i, pos]); rpn_td.append(encode(anchors[pos], boxes[gt[pos]], ones))
        with torch.no_grad():
            top = obj[i].argsort(descending=True)[:300]
            props = decode(anchors[top], dl[i, top], ones)
            props[:, 0::2] = props[:, 0::2].clamp(0, S); props[:, 1::2] = props[:, 1::2].clamp(0, S)
            ok = ((props[:, 2] - props[:, 0]) >= 1) & ((props[:, 3] - props[:, 1]) >= 1)
            props, sc = props[ok], obj[i, top][ok]
            props = props[nms(props, sc, 0.7, R["proposalsTrain"])]
        cands = torch.cat([props, boxes])
        g2 = assign_max_iou(cands, boxes, 0.5, 0.5, 0.5, False)
        p2, n2 = sample(g2, R["roiSamples"], R["roiPosFraction"])
        picked = torch.cat([p2, n2])
        roi_feats.append(roi_align(feat[i], cands[picked], stride, R["roiOut"]))
        roi_labels.append(torch.cat([labels[g2[p2]], torch.full((n2.numel(),), C)]))
        roi_td.append(encode(cands[p2], boxes[g2[p2]], DELTA_STDS))
    n_rpn = max(sum(t.numel() for t in rpn_lab), 1)
    loss_rpn_cls = F.binary_cross_entropy_with_logits(torch.cat(rpn_logit), torch.cat(rpn_lab), reduction="sum") / n_rpn
    loss_rpn_reg = (torch.cat(rpn_pd) - torch.cat(rpn_td)).abs().sum() / n_rpn
    x = torch.cat(roi_feats)
    h = F.relu(net.fc2(F.relu(net.fc1(x))))
    cls, reg = net.cls(h), net.reg(h).reshape(-1, C, 4)
    labels = torch.cat(roi_labels)
    nr = max(labels.numel(), 1)
    loss_cls = F.cross_entropy(cls, labels, reduction="sum") / nr
    posr = (labels < C).nonzero().squeeze(1)
    loss_reg = (reg[posr, labels[posr]] - torch.cat(roi_td)).abs().sum() / nr
    return loss_rpn_cls + loss_rpn_reg + loss_cls + loss_reg


net = FasterRcnn() if spec["detector"] == "faster-rcnn" else Fcos()
loss_fn = rcnn_loss if spec["detector"] == "faster-rcnn" else fcos_loss
opt = torch.optim.Adam(net.parameters(), lr=2e-3)


def step():
    loss = loss_fn(net)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


def matmul_ms(n, reps):
    a = torch.randn(n, n)
    return median_ms(lambda: a @ a, reps, warmup=1)


out = {"torch": torch.__version__, "threads": spec.get("threads", 1), "ms": median_ms(step, spec["reps"], warmup=1)}
if spec.get("matmul"):
    out["matmul_ms"] = matmul_ms(spec["matmul"], 5)
out["live_threads"] = live_threads()
print(json.dumps(out))
