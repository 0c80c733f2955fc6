"""Runs generated mmdetection loss modules on calls, all in one process.

argv: a JSON file {"stub": folder or null, "cases": [{"module": path, "class": name, "calls": [call]}]}
call: {"method": "forward" | "loss_from_inputs", "init": {kwargs}, "args": [arg], "kwargs": {name: arg},
       "grad": [indices of args to differentiate], "probe": flat list or null}
arg: {"float": nested list} | {"long": nested list} | {"tuple": [arg, ...]} | {"number": x} | null
The stand-in registry folder ("stub") goes on sys.path only when mmdet itself does not import.
Prints JSON {"mmdet": "real" | "stand-in", "results": [[{"value": flat, "grads": [flat...]} | {"error": text}]]};
non-finite numbers as strings. A scalar result is differentiated as is; a
vector one (reduction 'none') as sum(result * probe).
"""
import importlib.util
import json
import math
import sys
import warnings

import torch


def enc(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def flat(t):
    return [enc(float(v)) for v in t.detach().reshape(-1).tolist()]


def build(arg, grads):
    if arg is None:
        return None
    if "number" in arg:
        return arg["number"]
    if "tuple" in arg:
        return tuple(build(a, grads) for a in arg["tuple"])
    if "long" in arg:
        return torch.tensor(arg["long"], dtype=torch.long)
    t = torch.tensor(arg["float"], dtype=torch.float64, requires_grad=True)
    grads.append(t)
    return t


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    try:
        import mmdet  # noqa: F401

        which = "real"
    except ImportError:
        sys.path.insert(0, job["stub"])
        which = "stand-in"
    try:
        from mmdet.registry import MODELS
    except ImportError:  # mmdetection 2.x
        from mmdet.models.builder import LOSSES as MODELS

    warnings.simplefilter("ignore")
    results = []
    for k, case in enumerate(job["cases"]):
        out = []
        try:
            mod = load(case["module"], f"generated_{k}")
            cls = MODELS.get(case["class"])
            if cls is not getattr(mod, case["class"]):
                raise RuntimeError(f"{case['class']} is not registered under its name")
        except Exception as e:
            results.append([{"error": f"{type(e).__name__}: {e}"}] * len(case["calls"]))
            continue
        for call in case["calls"]:
            try:
                leaves = []
                args = [build(a, leaves) for a in call["args"]]
                kwargs = {n: build(a, leaves) for n, a in call.get("kwargs", {}).items()}
                loss = cls(**call.get("init", {}))
                value = getattr(loss, call["method"])(*args, **kwargs)
                wrt = [args[i] for i in call.get("grad", [])]
                grads = []
                if wrt:
                    scalar = value if value.dim() == 0 else (value * torch.tensor(call["probe"], dtype=value.dtype).reshape(value.shape)).sum()
                    gs = torch.autograd.grad(scalar, wrt, allow_unused=True)
                    grads = [flat(g) if g is not None else flat(torch.zeros_like(w)) for g, w in zip(gs, wrt)]
                out.append({"value": flat(value), "grads": grads})
            except Exception as e:  # reported per call so one failure does not hide the others
                out.append({"error": f"{type(e).__name__}: {e}"})
        results.append(out)
    json.dump({"mmdet": which, "results": results}, sys.stdout)


main()
