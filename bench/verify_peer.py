"""Peer for bench/verify.ts: value and gradient of each candidate with PyTorch
autograd (float64, CPU, one thread, timed in process CPU time), on the same trees (from the registry's
python templates) and points. Prints {domain: {ms, n, warmMs, steadyMs}, "live_threads": n} as JSON.

One thread really: the caller sets OMP_NUM_THREADS=1 (read when the library
loads) and use_threads sets the intra- and inter-op pools before any tensor work."""
import json
import math
import sys
import time

import torch
from peer_timing import live_threads, use_threads

use_threads(torch, 1)


def run_once(f, base, wrt, shape):
    inputs = {k: (v.clone().requires_grad_(True) if k in wrt else v) for k, v in base.items()}
    value = f(**inputs)
    if torch.is_tensor(value) and value.requires_grad:
        torch.autograd.grad(value.expand(shape).sum(), [inputs[w] for w in wrt], allow_unused=True)


def main():
    jobs = json.load(open(sys.argv[1]))
    out = {}
    for job in jobs:
        rows, cols = job["rows"], job["cols"]
        shape = (rows,) if job["domain"] == "reg" else (rows, cols)
        base = {k: torch.tensor(v, dtype=torch.float64).reshape(shape) for k, v in job["points"].items()}
        t = time.process_time()
        # Later rounds time only the steady state: the caller reports this timing from the first.
        for src in [] if job.get("steadyOnly") else job["sources"]:
            scope = {"torch": torch, "math": math}
            exec(src, scope)
            inputs = {k: (v.clone().requires_grad_(True) if k in job["wrt"] else v) for k, v in base.items()}
            value = scope["f"](**inputs)
            if not torch.is_tensor(value):
                value = torch.tensor(float(value), dtype=torch.float64)
            value = value.expand(shape) if value.dim() <= len(shape) else value
            if value.requires_grad:
                torch.autograd.grad(value.sum(), [inputs[w] for w in job["wrt"]], allow_unused=True)
        ms = (time.process_time() - t) * 1000
        warm_ms = steady_ms = 0.0
        first = job.get("steadyFrom", 0)
        for src in job["sources"][first : first + job["steady"]]:
            t = time.process_time()
            scope = {"torch": torch, "math": math}
            exec(src, scope)
            for _ in range(job["warm"]):
                run_once(scope["f"], base, job["wrt"], shape)
            warm_ms += (time.process_time() - t) * 1000
            t = time.process_time()
            for _ in range(job["repeat"]):
                run_once(scope["f"], base, job["wrt"], shape)
            steady_ms += (time.process_time() - t) * 1000
        out[job["domain"]] = {"ms": ms, "n": len(job["sources"]), "warmMs": warm_ms, "steadyMs": steady_ms}
    out["live_threads"] = live_threads()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
