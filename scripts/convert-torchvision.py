#!/usr/bin/env python3
"""Writes a torchvision ResNet's state_dict as float32 safetensors that
`autoloss train --weights FILE` loads (src/detect/weights.ts).

  convert-torchvision.py --arch resnet18 --checkpoint resnet18.pth --out r18.safetensors
  convert-torchvision.py --arch resnet50 --random-seed 0 --out r50.safetensors

--checkpoint reads a state_dict saved by torch.save (e.g. torchvision's
pretrained file); --random-seed builds a randomly initialised model instead
(the tests use it). --features IMAGES.f32 --size S additionally writes the
model's C2–C5 feature maps (eval mode, NHWC) of an N×S×S×3 float32 NHWC batch
to OUT.features.json, so that a test can compare them.
"""
import argparse
import json
import struct

import torch
import torchvision


def save_safetensors(tensors, path):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header).encode("utf8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=["resnet18", "resnet50"], required=True)
    ap.add_argument("--checkpoint")
    ap.add_argument("--random-seed", type=int)
    ap.add_argument("--out", required=True)
    ap.add_argument("--features")
    ap.add_argument("--size", type=int, default=64)
    a = ap.parse_args()
    if a.random_seed is not None:
        torch.manual_seed(a.random_seed)
    model = getattr(torchvision.models, a.arch)()
    if a.checkpoint:
        model.load_state_dict(torch.load(a.checkpoint, map_location="cpu"))
    else:
        # Random, non-trivial BatchNorm statistics, so that the test checks they are used.
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.data.uniform_(0.5, 1.5)
                m.bias.data.uniform_(-0.2, 0.2)
    model.eval()
    state = {k: v for k, v in model.state_dict().items() if v.dtype.is_floating_point}
    save_safetensors(state, a.out)
    if a.features:
        raw = open(a.features, "rb").read()
        n = len(raw) // (4 * a.size * a.size * 3)
        x = torch.frombuffer(bytearray(raw), dtype=torch.float32).reshape(n, a.size, a.size, 3).permute(0, 3, 1, 2)
        with torch.no_grad():
            y = model.maxpool(model.relu(model.bn1(model.conv1(x))))
            feats = []
            for layer in (model.layer1, model.layer2, model.layer3, model.layer4):
                y = layer(y)
                feats.append(y.permute(0, 2, 3, 1).contiguous())
        json.dump([{"shape": list(f.shape), "data": f.flatten().tolist()} for f in feats], open(a.out + ".features.json", "w"))


if __name__ == "__main__":
    main()
