"""Runs generated PyTorch modules on cases, all in one process.

argv: a JSON file {"cases": [{"module": path, "class": name, "inputs": {name: nested list}, "params": [names]}]}
Prints JSON {"results": [{"output": flat list} | {"error": text}]}; non-finite as strings.
"""
import importlib.util
import json
import math
import sys

import torch


def enc(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def tensor(value):
    return torch.tensor(value, dtype=torch.float64)


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    results = []
    for k, case in enumerate(job["cases"]):
        try:
            mod = load(case["module"], f"generated_{k}")
            cls = getattr(mod, case["class"])
            if "forward" in case:
                fw = case["forward"]
                args = [torch.tensor(a, dtype=torch.long) if a_is_int else tensor(a) for a, a_is_int in zip(fw["args"], fw["ints"])]
                out = cls(reduction="none")(*args)
            else:
                args = [tensor(case["inputs"][p]) for p in case["params"]]
                out = cls.elementwise(*args)
            results.append({"output": [enc(float(v)) for v in out.reshape(-1).tolist()]})
        except Exception as e:  # reported per case so one failure does not hide the others
            results.append({"error": f"{type(e).__name__}: {e}"})
    json.dump({"results": results}, sys.stdout)


main()
