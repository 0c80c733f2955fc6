"""Random COCO-eval cases scored by pycocotools, for test/metrics/pycocotools-random-cases.json.

Usage: python3 make-random-cases.py FIRST_SEED LAST_SEED OUT.json
Needs pycocotools importable (the cases were made with cocoeval.py and coco.py of
cocodataset/cocoapi 8c9bcc3 under numpy 1.24). The cases mix crowd regions,
annotation id 0, areas unlike w*h, duplicates, class confusion, unknown
categories, more than 100 detections per image and shuffled result lists.
"""
import json, random, sys, io, contextlib
import numpy as np
np.float = float
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

def make(seed):
    r = random.Random(seed)
    nimg = r.randint(1, 12); ncat = r.randint(1, 8)
    cats = [{"id": c, "name": f"c{c}"} for c in r.sample(range(1, 100), ncat)]
    imgs = [{"id": i, "width": 640, "height": 480} for i in r.sample(range(0, 1000), nimg)]
    anns = []; dets = []
    aid = r.choice([0, 1, 100])
    for im in imgs:
        for _ in range(r.choice([0, 1, 3, 8, 20])):
            w = r.choice([r.uniform(2, 30), r.uniform(30, 100), r.uniform(100, 300)]); h = w * r.uniform(0.5, 2)
            h = min(h, 470); x = r.uniform(0, 640 - w); y = r.uniform(0, 480 - h)
            if r.random() < 0.5: x, y, w, h = [round(v) for v in (x, y, w, h)]; w = max(w, 1); h = max(h, 1)
            cat = r.choice(cats)["id"]
            crowd = 1 if r.random() < 0.07 else 0
            area = w * h * (r.uniform(0.4, 1) if r.random() < 0.5 else 1)
            x, y, w, h = [round(v, 2) for v in (x, y, w, h)]; area = round(area, 2)
            anns.append({"id": aid, "image_id": im["id"], "category_id": cat, "bbox": [x, y, w, h], "area": area, "iscrowd": crowd}); aid += 1
            for _ in range(r.choice([0, 1, 1, 1, 2, 3])):
                j = r.choice([0.0, 0.02, 0.05, 0.1, 0.3])
                dx = [x + r.gauss(0, j) * w, y + r.gauss(0, j) * h, w * (1 + r.gauss(0, j)), h * (1 + r.gauss(0, j))]
                dx = [round(v, r.choice([0, 1, 2])) for v in dx]; dx[2] = abs(dx[2]); dx[3] = abs(dx[3])
                c2 = cat if r.random() > 0.1 else r.choice(cats)["id"]
                dets.append({"image_id": im["id"], "category_id": c2, "bbox": dx, "score": round(r.random(), r.choice([1, 2, 6]))})
        for _ in range(r.choice([0, 2, 10, 150])):
            w = r.uniform(5, 200); h = r.uniform(5, 200)
            dets.append({"image_id": im["id"], "category_id": r.choice(cats + [{"id": 999}])["id"], "bbox": [round(r.uniform(0, 600), 1), round(r.uniform(0, 400), 1), round(w, 1), round(h, 1)], "score": round(r.random(), r.choice([1, 3]))})
    r.shuffle(dets)
    if r.random() < 0.3: r.shuffle(anns)
    gt = {"images": imgs, "annotations": anns, "categories": cats}
    return gt, dets

def evaluate(gt, dets):
    with contextlib.redirect_stdout(io.StringIO()):
        c = COCO(); c.dataset = json.loads(json.dumps(gt)); c.createIndex()
        d = c.loadRes(json.loads(json.dumps(dets)))
        e = COCOeval(c, d, 'bbox'); e.evaluate(); e.accumulate(); e.summarize()
    return [float(v) for v in e.stats]

cases = []
for s in range(int(sys.argv[1]), int(sys.argv[2])):
    gt, dets = make(s)
    # pycocotools' loadRes cannot take an empty result list; large cases would bloat the fixture.
    if not dets or len(json.dumps({"gt": gt, "dets": dets})) > 20000: continue
    cases.append({"name": f"random{s}", "gt": gt, "dets": dets, "stats": evaluate(gt, dets)})
    if len(cases) == 30: break
json.dump({"source": "pycocotools cocoeval.py and coco.py at cocodataset/cocoapi 8c9bcc3 (numpy 1.24), with a bbox-only Python port of maskApi.c bbIou; cases drawn by test/metrics/make-random-cases.py", "cases": cases}, open(sys.argv[3], "w"), separators=(",", ":"))
print(len(cases))
