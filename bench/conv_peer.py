"""PyTorch peer of bench/conv.ts: the same 3-layer conv net, the same SGD step.

Prints one JSON line: {"torch": version, "threads": n, "ms": {"<stride>": {"wall": median ms, "cpu": median CPU ms (all threads)}}}.
With "serve" in the arguments it builds the step at their "stride", prints one
JSON line when ready ({"torch", "threads"}), then answers each "step" line on
stdin with one JSON line of that step's wall and CPU milliseconds, so that
bench/conv.ts can interleave its steps with the peer's one by one.
"""
import json
import sys

import torch
from peer_timing import median_ms, timed_ms, use_threads


def make_step(stride: int, batch: int, size: int):
    torch.manual_seed(0)
    x = torch.randn(batch, 3, size, size)
    convs = [
        torch.nn.Conv2d(3, 32, 3, stride, 1),
        torch.nn.Conv2d(32, 64, 3, stride, 1),
        torch.nn.Conv2d(64, 5, 3, stride, 1),
    ]
    params = [p for c in convs for p in c.parameters()]
    opt = torch.optim.SGD(params, lr=0.01)

    def step() -> float:
        opt.zero_grad()
        h = torch.relu(convs[0](x))
        h = torch.relu(convs[1](h))
        loss = convs[2](h).square().mean()
        loss.backward()
        opt.step()
        return loss.item()

    return step


def step_time(stride: int, batch: int, size: int, reps: int) -> dict:
    return median_ms(make_step(stride, batch, size), reps)


def serve(step, threads: int) -> None:
    print(json.dumps({"torch": torch.__version__, "threads": threads}), flush=True)
    for line in sys.stdin:
        if line.strip() != "step":
            print(json.dumps({"error": f"unknown request {line.strip()}"}), flush=True)
            continue
        print(json.dumps(timed_ms(step)), flush=True)


def main() -> None:
    args = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    threads = int(args.get("threads", 2))
    use_threads(torch, threads)
    batch, size, reps = args.get("batch", 8), args.get("size", 64), args.get("reps", 20)
    if args.get("serve"):
        serve(make_step(args["stride"], batch, size), threads)
        return
    out = {str(s): step_time(s, batch, size, reps) for s in args.get("strides", [1, 2])}
    print(json.dumps({"torch": torch.__version__, "threads": threads, "ms": out}))


if __name__ == "__main__":
    main()
