"""PyTorch peer of bench/loss.ts: forward + backward of exported loss modules.

argv[1]: JSON {"threads": n, "reps": r, "cases": [{"name", "domain", "module", "source", "n", "c"}]},
where "source" is the module that `autoloss export --to pytorch` writes (the
same ops, guards and training semantics as the tfjs side). Prints one JSON
line: {"torch": version, "threads": n, "live_threads": n, "ms": {name: {"wall": median ms, "cpu": median CPU ms (all threads)}}}.
"""
import json
import sys

import torch
from peer_timing import live_threads, median_ms, use_threads


def inputs(domain: str, n: int, c: int):
    g = torch.Generator().manual_seed(0)
    if domain == "reg":
        xy = torch.rand(n, 2, generator=g) * 50
        wh = torch.rand(n, 2, generator=g) * 30 + 1
        target = torch.cat([xy, xy + wh], 1)
        pred = (target + torch.randn(n, 4, generator=g) * 3).requires_grad_(True)
        return pred, (pred, target)
    cols = c + 1 if domain == "multi" else c
    x = (torch.randn(n, cols, generator=g) * 2).requires_grad_(True)
    label = torch.randint(0, c + 1, (n,), generator=g)
    iou = torch.rand(n, generator=g)
    return x, (x, label, iou)


def time_case(case, reps: int) -> dict:
    scope: dict = {}
    exec(compile(case["source"], case["module"], "exec"), scope)
    loss_fn = scope[case["module"]]()
    leaf, args = inputs(case["domain"], case["n"], case["c"])

    def step() -> None:
        leaf.grad = None
        loss = loss_fn(*args, avg_factor=float(case["n"]))
        loss.backward()
        float(loss)

    return median_ms(step, reps)


def main() -> None:
    spec = json.loads(sys.argv[1])
    threads = int(spec.get("threads", 1))
    use_threads(torch, threads)
    reps = int(spec.get("reps", 20))
    out = {case["name"]: time_case(case, reps) for case in spec["cases"]}
    print(json.dumps({"torch": torch.__version__, "threads": threads, "live_threads": live_threads(), "ms": out}))


if __name__ == "__main__":
    main()
