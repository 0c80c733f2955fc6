"""PyTorch peer of bench/train.ts: one training step (forward, target
assignment, losses, backward, Adam) of the same detector on the same batch:
FCOS (focal + GIoU + centerness) or Faster R-CNN (FPN P2-P6, RPN on every
level, multi-level RoIAlign, softmax cross-entropy + L1 on deltas). Every
size, count and threshold comes from the JSON spec in argv[1] (built by
bench/train-step.ts from the project's own configuration), which also names
a binary batch file. It times one step per request, so that the caller can
interleave the peer's steps with its own (both then run in the same phase of
a shared machine's speed; bench/peer-server.ts): it prints one JSON line when
ready (version, trainable parameters, threads), then answers each line on
stdin, "step" or "matmul N", with one JSON line of that run's wall and CPU
milliseconds; "threads" answers the live thread count, and end of input ends
it."""
import json
import math
import sys

import torch
from peer_timing import live_threads, timed_ms, use_threads

spec = json.loads(sys.argv[1])
use_threads(torch, spec.get("threads", 1))

import numpy as np  # noqa: E402  (after the thread set-up)
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torchvision.ops import batched_nms, roi_align  # noqa: E402

torch.manual_seed(0)
B, S, C = spec["batch"], spec["size"], spec["classes"]
NET = spec["net"]
CH, FPN, LEVELS = NET["channels"], NET["fpn"], NET["levels"]
STRIDES = [2**l for l in LEVELS]
HEAD_CONVS = spec.get("headConvs", 2)
LOSSES = spec["losses"]
raw = np.fromfile(spec["images"], dtype=np.float32).reshape(B, S, S, 3)
images = torch.from_numpy(raw).permute(0, 3, 1, 2).contiguous()
gts = [(torch.tensor(t["boxes"], dtype=torch.float32).reshape(-1, 4), torch.tensor(t["labels"], dtype=torch.long)) for t in spec["targets"]]


def need_losses(cls, reg):
    if (LOSSES["cls"], LOSSES["reg"]) != (cls, reg):
        sys.exit(f"train_peer.py implements {spec['detector']} with {cls} + {reg}, not {LOSSES['cls']} + {LOSSES['reg']}")


def init_(m, std=None):
    """Normal weights (He, sqrt(2 / fan_in), unless `std`), zero bias: as src/detect/params.ts initialises."""
    fan_in = m.weight[0].numel()
    nn.init.normal_(m.weight, 0.0, std if std is not None else math.sqrt(2 / fan_in))
    if m.bias is not None:
        nn.init.zeros_(m.bias)
    return m


class Trunk(nn.Module):
    """The tiny backbone (stride-2 conv, then a stride-1 conv from stage 2 on, ReLU) and the FPN of
    src/detect/network.ts on LEVELS: laterals and 3x3 outputs on the levels up to 5, top-down with
    nearest up-sampling; levels above 5 by stride-2 convolutions (`conv`, FCOS) or subsampling (`pool`)."""

    def __init__(self):
        super().__init__()
        self.down, self.conv = nn.ModuleList(), nn.ModuleList()
        cin = 3
        for i, c in enumerate(CH):
            self.down.append(init_(nn.Conv2d(cin, c, 3, 2, 1)))
            self.conv.append(init_(nn.Conv2d(c, c, 3, 1, 1)) if i > 0 else nn.Identity())
            cin = c
        self.inputs = [l for l in LEVELS if l <= 5]
        self.lat = nn.ModuleList([init_(nn.Conv2d(CH[l - 1], FPN, 1), math.sqrt(1 / CH[l - 1])) for l in self.inputs])
        self.out = nn.ModuleList([init_(nn.Conv2d(FPN, FPN, 3, 1, 1), math.sqrt(1 / (9 * FPN))) for _ in self.inputs])
        above = [l for l in LEVELS if l > 5]
        self.extra = nn.ModuleList([init_(nn.Conv2d(FPN, FPN, 3, 2, 1), math.sqrt(1 / (9 * FPN))) for _ in above] if NET["extra"] == "conv" else [])
        self.above = len(above)

    def forward(self, x):
        stages = []
        for i in range(len(CH)):
            x = F.relu(self.down[i](x))
            if i > 0:
                x = F.relu(self.conv[i](x))
            stages.append(x)
        feats, top = {}, None
        for j in reversed(range(len(self.inputs))):
            lat = self.lat[j](stages[self.inputs[j] - 1])
            if top is not None:
                lat = lat + F.interpolate(top, size=lat.shape[-2:], mode="nearest")
            top = lat
            feats[j] = self.out[j](lat)
        out = [feats[j] for j in range(len(self.inputs))]
        for j in range(self.above):
            if NET["extra"] == "pool":
                out.append(F.max_pool2d(out[-1], 1, 2))
            else:
                out.append(self.extra[j](out[-1] if j == 0 else F.relu(out[-1])))
        return out


# ---------------------------------------------------------------- FCOS
class Fcos(nn.Module):
    """P3-P7 from the trunk (P6/P7 by stride-2 convolutions), towers of conv + GroupNorm + ReLU."""

    def __init__(self):
        super().__init__()
        self.trunk = Trunk()
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
    rad = st[:, None] * spec["radius"]
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
R = spec.get("rcnn", {})


class FasterRcnn(nn.Module):
    """src/detect/two-stage.ts with one class-specific stage: an RPN (3x3 conv + ReLU, objectness and
    delta 1x1 convs) shared by every level, fully connected layers on the RoIAlign features, then
    C+1 class logits and 4C deltas."""

    def __init__(self):
        super().__init__()
        self.trunk = Trunk()
        a = len(R["rpn"]["anchorRatios"])
        self.rpn = init_(nn.Conv2d(FPN, FPN, 3, 1, 1), 0.01)
        self.obj = init_(nn.Conv2d(FPN, a, 1), 0.01)
        self.dl = init_(nn.Conv2d(FPN, 4 * a, 1), 0.01)
        cin, fcs = R["roiOut"] ** 2 * FPN, []
        for d in R["fcs"]:
            fcs.append(init_(nn.Linear(cin, d)))
            cin = d
        self.fcs = nn.ModuleList(fcs)
        self.cls = init_(nn.Linear(cin, C + 1), 0.01)
        self.reg = init_(nn.Linear(cin, 4 * C), 0.001)


def anchors_for(h, w, s, sizes, ratios):
    """src/detect/rpn.ts's rpnAnchors: location-major, one box per size and ratio (ratio = h / w)."""
    ys, xs = torch.meshgrid(torch.arange(h) * s + s // 2, torch.arange(w) * s + s // 2, indexing="ij")
    ctr = torch.stack([xs.reshape(-1), ys.reshape(-1)], 1).float()
    half = torch.tensor([[size * math.sqrt(1 / r) / 2, size * math.sqrt(r) / 2] for size in sizes for r in ratios])
    return torch.cat([ctr[:, None] - half[None], ctr[:, None] + half[None]], 2).reshape(-1, 4)


def box_iou(a, b):
    lt = torch.maximum(a[:, None, :2], b[None, :, :2]); rb = torch.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = (rb - lt).clamp(min=0); inter = wh[..., 0] * wh[..., 1]
    area = lambda x: (x[:, 2] - x[:, 0]).clamp(min=0) * (x[:, 3] - x[:, 1]).clamp(min=0)
    u = area(a)[:, None] + area(b)[None] - inter
    return torch.where(u > 0, inter / u.clamp(min=1e-12), torch.zeros_like(u))


def assign_max_iou(cands, boxes, cfg):
    """src/detect/rpn-assign.ts's assignMaxIou: gt index per candidate, -1 negative, -2 ignored."""
    m = box_iou(cands, boxes)
    best, arg = m.max(1)
    gt = torch.where(best >= cfg["posIou"], arg, torch.where(best < cfg["negIou"], torch.full_like(arg, -1), torch.full_like(arg, -2)))
    if cfg["matchLowQuality"]:
        gbest = m.max(0).values
        for k in range(boxes.shape[0]):
            if gbest[k] >= cfg["minPosIou"]:
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
    m = R["maxLogRatio"]
    aw, ah = a[..., 2] - a[..., 0], a[..., 3] - a[..., 1]; ax, ay = a[..., 0] + 0.5 * aw, a[..., 1] + 0.5 * ah
    cx, cy = ax + d[..., 0] * aw, ay + d[..., 1] * ah
    w, h = aw * torch.exp(d[..., 2].clamp(-m, m)), ah * torch.exp(d[..., 3].clamp(-m, m))
    return torch.stack([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], -1)


def aligned_iou(a, b):
    ix = (torch.minimum(a[:, 2], b[:, 2]) - torch.maximum(a[:, 0], b[:, 0])).clamp(min=0)
    iy = (torch.minimum(a[:, 3], b[:, 3]) - torch.maximum(a[:, 1], b[:, 1])).clamp(min=0)
    area = lambda x: (x[:, 2] - x[:, 0]).clamp(min=0) * (x[:, 3] - x[:, 1]).clamp(min=0)
    u = area(a) + area(b) - ix * iy
    return torch.where(u > 0, ix * iy / u.clamp(min=1e-12), torch.zeros_like(u))


def proposals(obj, dl, anchors, counts, post):
    """src/detect/rpn.ts's proposals: per image and level the preNms best anchors by objectness,
    decoded, clipped, those under 1 pixel dropped; NMS within each level; the `post` best kept."""
    rp = R["rpn"]
    stds = torch.tensor(rp["stds"])
    per_level, start = [], 0
    for l, n in enumerate(counts):
        sc, k = obj[:, start:start + n].topk(min(rp["preNms"], n), dim=1)
        k = k + start
        bx = decode(anchors[k], torch.gather(dl, 1, k[..., None].expand(-1, -1, 4)), stds)
        bx[..., 0::2] = bx[..., 0::2].clamp(0, S); bx[..., 1::2] = bx[..., 1::2].clamp(0, S)
        per_level.append((bx, sc, torch.full_like(k, l)))
        start += n
    bx, sc, lv = (torch.cat(t, 1) for t in zip(*per_level))
    out = []
    for i in range(B):
        ok = ((bx[i, :, 2] - bx[i, :, 0]) >= 1) & ((bx[i, :, 3] - bx[i, :, 1]) >= 1)
        b, s, v = bx[i][ok], sc[i][ok], lv[i][ok]
        out.append(b[batched_nms(b, s, v, rp["nmsIou"])[:post]])
    return out


def multi_level_roi_align(feats, rois):
    """src/detect/roi-align.ts's multiLevelRoiAlign: each RoI pooled (aligned RoIAlign) from level
    floor(log2(sqrt(wh) / finestScale + 1e-6)) clamped to the pooling levels; rows [R, out*out*FPN]
    in RoI order, bins then channels."""
    o, nl = R["roiOut"], R["roiLevels"]
    idx = torch.cat([torch.full((r.shape[0], 1), float(i)) for i, r in enumerate(rois)])
    boxes = torch.cat(rois)
    scale = ((boxes[:, 2] - boxes[:, 0]).clamp(min=0) * (boxes[:, 3] - boxes[:, 1]).clamp(min=0)).sqrt()
    level = torch.floor(torch.log2(scale / R["finestScale"] + 1e-6)).clamp(0, nl - 1).long()
    rows = torch.cat([idx, boxes], 1)
    out = feats[0].new_zeros(rows.shape[0], FPN, o, o)
    for l in range(nl):
        k = (level == l).nonzero().squeeze(1)
        if k.numel():
            out[k] = roi_align(feats[l], rows[k], o, 1 / STRIDES[l], R["samplingRatio"], aligned=True)
    return out.permute(0, 2, 3, 1).reshape(rows.shape[0], -1)


def rcnn_loss(net):
    rp = R["rpn"]
    feats = net.trunk(images)
    objs, dels, anchors, counts = [], [], [], []
    for l, f in enumerate(feats):
        r = F.relu(net.rpn(f))
        objs.append(net.obj(r).permute(0, 2, 3, 1).reshape(B, -1))
        dels.append(net.dl(r).permute(0, 2, 3, 1).reshape(B, -1, 4))
        a = anchors_for(f.shape[-2], f.shape[-1], STRIDES[l], [rp["anchorScale"] * STRIDES[l]], rp["anchorRatios"])
        anchors.append(a); counts.append(a.shape[0])
    obj, dl, anchors = torch.cat(objs, 1), torch.cat(dels, 1), torch.cat(anchors)
    rpn_stds = torch.tensor(rp["stds"])
    rpn_logit, rpn_lab, rpn_pd, rpn_td = [], [], [], []
    for i, (boxes, _) in enumerate(gts):
        gt = assign_max_iou(anchors, boxes, rp["assign"])
        pos, neg = sample(gt, rp["samples"], rp["posFraction"])
        rpn_logit += [obj[i, pos], obj[i, neg]]
        rpn_lab += [torch.ones(pos.numel()), torch.zeros(neg.numel())]
        rpn_pd.append(dl[i, pos]); rpn_td.append(encode(anchors[pos], boxes[gt[pos]], rpn_stds))
    n_rpn = max(sum(t.numel() for t in rpn_lab), 1)
    loss_rpn_cls = F.binary_cross_entropy_with_logits(torch.cat(rpn_logit), torch.cat(rpn_lab), reduction="sum") / n_rpn
    loss_rpn_reg = (torch.cat(rpn_pd) - torch.cat(rpn_td)).abs().sum() / n_rpn
    with torch.no_grad():
        props = proposals(obj.detach(), dl.detach(), anchors, counts, rp["proposalsTrain"])
    # The second stage: the ground-truth boxes join the proposals, a balanced sample of RoIs per image.
    stage = {"posIou": R["iou"], "negIou": R["iou"], "minPosIou": R["iou"], "matchLowQuality": False}
    rois, roi_labels, pos_rois, pos_tgt = [], [], [], []
    for i, (boxes, labels) in enumerate(gts):
        cands = torch.cat([props[i], boxes])
        g2 = assign_max_iou(cands, boxes, stage)
        p2, n2 = sample(g2, R["roiSamples"], R["roiPosFraction"])
        rois.append(cands[torch.cat([p2, n2])])
        roi_labels.append(torch.cat([labels[g2[p2]], torch.full((n2.numel(),), C)]))
        pos_rois.append(cands[p2]); pos_tgt.append(boxes[g2[p2]])
    x = multi_level_roi_align(feats[: R["roiLevels"]], rois)
    for fc in net.fcs:
        x = F.relu(fc(x))
    cls, reg = net.cls(x), net.reg(x).reshape(-1, C, 4)
    labels = torch.cat(roi_labels)
    nr = max(labels.numel(), 1)
    loss_cls = F.cross_entropy(cls, labels, reduction="sum") / nr
    posr = (labels < C).nonzero().squeeze(1)
    stds = torch.tensor(R["stds"])
    pred = reg[posr, labels[posr]]
    pos_rois, pos_tgt = torch.cat(pos_rois), torch.cat(pos_tgt)
    with torch.no_grad():
        # The IoU of each positive's decoded box with its target, which ours computes for the classification loss's Z.
        aligned_iou(decode(pos_rois, pred, stds), pos_tgt)
    loss_reg = (pred - encode(pos_rois, pos_tgt, stds)).abs().sum() / nr * LOSSES["regWeight"]
    return loss_rpn_cls + loss_rpn_reg + loss_cls + loss_reg


if spec["detector"] == "faster-rcnn":
    need_losses("ce", "l1")
    net, loss_fn = FasterRcnn(), rcnn_loss
elif spec["detector"] == "fcos":
    need_losses("focal", "giou")
    net, loss_fn = Fcos(), fcos_loss
else:
    sys.exit(f"train_peer.py has no {spec['detector']}")
opt = torch.optim.Adam(net.parameters(), lr=2e-3)


def step():
    loss = loss_fn(net)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


def serve():
    print(json.dumps({"torch": torch.__version__, "threads": spec.get("threads", 1), "params": params, "live_threads": live_threads()}), flush=True)
    mats = {}
    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        if cmd[0] == "step":
            reply = timed_ms(step)
        elif cmd[0] == "matmul":
            n = int(cmd[1])
            a = mats.setdefault(n, torch.randn(n, n))
            reply = timed_ms(lambda: a @ a)
        elif cmd[0] == "threads":
            reply = {"live_threads": live_threads()}
        else:
            reply = {"error": f"unknown request {cmd[0]}"}
        print(json.dumps(reply), flush=True)


params = sum(p.numel() for p in net.parameters() if p.requires_grad)
serve()
