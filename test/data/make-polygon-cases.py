"""Random polygons rasterised by pycocotools' maskApi.c, for test/data/pycocotools-polygon-cases.json.

Usage: python3 make-polygon-cases.py COCOAPI_DIR SEED COUNT OUT.json
COCOAPI_DIR is a checkout of cocodataset/cocoapi; its common/maskApi.c is
compiled with frpoly-driver.c (beside this script), which prints for each
polygon the compressed RLE string, the area and toBbox, and for every second
polygon its mask IoU with the one before (same image size, crowd flag given).
The polygons mix integer, half-integer and 2-decimal corners, corners outside
the image, repeated points and thin slivers, on images from 1x1 to 60x60.
"""
import json, os, random, subprocess, sys, tempfile

def polygon(r, h, w):
    k = r.randint(3, 12)
    kind = r.choice(["int", "half", "dec", "fifth"])
    def c(lim):
        v = r.uniform(-8, lim + 8)
        return {"int": float(round(v)), "half": round(v * 2) / 2, "dec": round(v, 2), "fifth": round(v * 5) / 5}[kind]
    pts = [[c(w), c(h)] for _ in range(k)]
    if r.random() < 0.15: pts.insert(r.randrange(len(pts)), list(pts[0]))
    if r.random() < 0.15: pts.append(list(pts[0]))
    if r.random() < 0.1: pts = [pts[0], pts[1], [pts[1][0] + 0.3, pts[1][1] + 0.2]]
    return [v for p in pts for v in p]

def main():
    cocoapi, seed, count, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    here = os.path.dirname(os.path.abspath(__file__))
    commit = subprocess.run(["git", "-C", cocoapi, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    r = random.Random(seed)
    cases = []
    for i in range(0, count, 2):
        h, w = r.randint(1, 60), r.randint(1, 60)
        for j in range(2):
            cases.append({"h": h, "w": w, "crowd": r.randint(0, 1) if j else 0, "polygon": polygon(r, h, w)})
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "frpoly")
        subprocess.run(["cc", "-O2", "-I", os.path.join(cocoapi, "common"), os.path.join(here, "frpoly-driver.c"), os.path.join(cocoapi, "common", "maskApi.c"), "-lm", "-o", exe], check=True)
        text = f"{len(cases)}\n" + "".join(f"{c['h']} {c['w']} {c['crowd']} {len(c['polygon']) // 2} {' '.join(repr(v) for v in c['polygon'])}\n" for c in cases)
        lines = subprocess.run([exe], input=text, capture_output=True, text=True, check=True).stdout.splitlines()
    for c, line in zip(cases, lines):
        f = line.split(" ")
        c["counts"] = f[0]; c["area"] = int(f[1]); c["bbox"] = [float(v) for v in f[2:6]]
        if len(f) > 6: c["iou_with_previous"] = float(f[6])
    json.dump({"cocoapi_commit": commit, "seed": seed, "cases": cases}, open(out, "w"))

main()
