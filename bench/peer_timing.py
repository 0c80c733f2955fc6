"""Timing shared by the PyTorch peers: median wall and CPU milliseconds of a step."""
import time


def median_ms(step, reps, warmup=3):
    """Runs `step` `warmup` times, then `reps` timed times; returns the medians in ms."""
    for _ in range(warmup):
        step()
    walls, cpus = [], []
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        step()
        walls.append((time.perf_counter() - t) * 1000)
        cpus.append((time.process_time() - c) * 1000)
    walls.sort()
    cpus.sort()
    return {"wall": walls[len(walls) // 2], "cpu": cpus[len(cpus) // 2]}
