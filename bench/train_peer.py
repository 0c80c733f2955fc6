"""PyTorch peer of bench/train.ts: one FCOS training step (forward, target
assignment, focal + GIoU + centerness losses, backward, Adam) of the same
network on the same batch. Reads a JSON spec from argv[1] naming a binary
batch file; prints one JSON line with median wall/CPU milliseconds."""
import json
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from peer_timing import median_ms

spec = json.loads(sys.argv[1])
torch.set_num_threads(spec["threads"])
torch.manual_seed(0)
B, S, C = spec["batch"], spec["size"], spec["classes"]
CH, FPN, STRIDES, HEAD_CONVS = spec["channels"], spec["fpn"], spec["strides"], spec["headConvs"]
raw = np.fromfile(spec["images"], dtype=np.float32).reshape(B, S, S, 3)
images = torch.from_numpy(raw).permute(0, 3, 1, 2).contiguous()
gts = [(torch.tensor(t["boxes"], dtype=torch.float32).reshape(-1, 4), torch.tensor(t["labels"], dtype=torch.long)) for t in spec["targets"]]


class Fcos(nn.Module):
    def __init__(self):
        super().__init__()
        self.down, self.conv = nn.ModuleList(), nn.ModuleList()
        cin = 3
        for i, c in enumerate(CH):
            self.down.append(nn.Conv2d(cin, c, 3, 2, 1))
            self.conv.append(nn.Conv2d(c, c, 3, 1, 1) if i > 0 else nn.Identity())
            cin = c
        # P3-P5 from the backbone, P6/P7 by stride-2 convolutions as FCOS builds them.
        self.levels = [3, 4, 5]
        self.lat = nn.ModuleList([nn.Conv2d(CH[l - 1], FPN, 1) for l in self.levels])
        self.out = nn.ModuleList([nn.Conv2d(FPN, FPN, 3, 1, 1) for _ in self.levels])
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
        for j, conv in enumerate(self.extra):
            feats[3 + j] = conv(feats[2 + j] if j == 0 else F.relu(feats[2 + j]))
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


def points(sizes):
    xs, ys, lv = [], [], []
    for j, (h, w) in enumerate(sizes):
        s = STRIDES[j]
        yy, xx = torch.meshgrid(torch.arange(h) * s + s // 2, torch.arange(w) * s + s // 2, indexing="ij")
        xs.append(xx.reshape(-1).float()); ys.append(yy.reshape(-1).float()); lv.append(torch.full((h * w,), j))
    return torch.cat(xs), torch.cat(ys), torch.cat(lv)


def assign(px, py, lv, boxes, labels):
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


net = Fcos()
opt = torch.optim.Adam(net.parameters(), lr=2e-3)


def step():
    cls, box, ctr, sizes = net(images)
    px, py, lv = points(sizes)
    labs, tb = zip(*[assign(px, py, lv, b, l) for b, l in gts])
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
    loss = loss_cls + loss_reg + loss_ctr
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


def measure(reps):
    return median_ms(step, reps, warmup=1)


print(json.dumps({"torch": torch.__version__, "threads": spec["threads"], "ms": measure(spec["reps"])}))
