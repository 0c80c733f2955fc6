"""Peer for bench/coco-eval.ts: pycocotools' COCOeval (bbox or segm) on the same files.

Usage: python3 coco_eval_peer.py GT.json DETS.json REPS [bbox|segm]
Prints one JSON line: {"pycocotools": version, "wall_ms": median, "cpu_ms": median, "stats": [12]}.
Times what `autoloss coco-eval` does: read both files, index them, evaluate,
accumulate, summarize.
"""
import contextlib
import io
import json
import sys
import time

import numpy as np

if not hasattr(np, "float"):
    np.float = float  # pycocotools releases before 2.0.6 use the removed alias

import pycocotools
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


def run(gt_path, dets_path, iou_type):
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(gt_path)
        dt = gt.loadRes(dets_path)
        e = COCOeval(gt, dt, iou_type)
        e.evaluate()
        e.accumulate()
        e.summarize()
    return [float(v) for v in e.stats]


def main():
    gt_path, dets_path, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
    iou_type = sys.argv[4] if len(sys.argv) > 4 else "bbox"
    stats = run(gt_path, dets_path, iou_type)
    walls, cpus = [], []
    for _ in range(reps):
        w, c = time.perf_counter(), time.process_time()
        run(gt_path, dets_path, iou_type)
        walls.append((time.perf_counter() - w) * 1000)
        cpus.append((time.process_time() - c) * 1000)
    print(json.dumps({"pycocotools": getattr(pycocotools, "__version__", "unknown"), "wall_ms": sorted(walls)[len(walls) // 2], "cpu_ms": sorted(cpus)[len(cpus) // 2], "stats": stats}))


main()
