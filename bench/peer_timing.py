"""Timing shared by the PyTorch peers: one-thread set-up and median wall and CPU milliseconds of a step."""
import os
import time


def use_threads(torch, n):
    """Runs torch on `n` intra-op threads and one inter-op thread.

    Call before any tensor work: PyTorch fixes its inter-op pool at the first
    parallel op. OMP_NUM_THREADS / MKL_NUM_THREADS must already be set by the
    caller's environment (the benchmarks spawn the peer with them), since
    OpenMP reads them when the library loads.
    """
    torch.set_num_threads(n)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already fixed by an earlier parallel op; the thread count check below still tells


def live_threads():
    """Threads of this process now (Linux), or -1 where /proc is absent."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return -1


def timed_ms(step):
    """Runs `step` once; its wall and CPU (all threads) milliseconds."""
    t, c = time.perf_counter(), time.process_time()
    step()
    return {"wall": (time.perf_counter() - t) * 1000, "cpu": (time.process_time() - c) * 1000}


def median_ms(step, reps, warmup=3):
    """Runs `step` `warmup` times, then `reps` timed times; returns the medians in ms."""
    for _ in range(warmup):
        step()
    runs = [timed_ms(step) for _ in range(reps)]
    walls, cpus = [r["wall"] for r in runs], [r["cpu"] for r in runs]
    walls.sort()
    cpus.sort()
    return {"wall": walls[len(walls) // 2], "cpu": cpus[len(cpus) // 2]}
