"""Peer for bench/simplify.ts: SymPy's cancel(together(expr)) on the same
prefix expressions, timed in this process. Reads a JSON file
{"sets": {name: [prefix, ...]}, "reps": n, "cold": [prefix, ...]} and prints
{"sympy": version, "ms_per_expr": {name: ms}, "cold": {"wall_ms", "cpu_ms"}}
on stdout; "cold" is one pass over distinct expressions with an empty cache.

U, I, E are positive symbols, as in shared/fixtures/rational-forms.json.
"""
import json
import sys
import time

import sympy

U, I, E = sympy.symbols("U I E", positive=True)
NAMES = {"U": U, "I": I, "E": E}


def parse(text):
    pos = 0

    def skip():
        nonlocal pos
        while pos < len(text) and text[pos] in " \t":
            pos += 1

    def node():
        nonlocal pos
        skip()
        start = pos
        while pos < len(text) and (text[pos].isalnum() or text[pos] in "._-"):
            pos += 1
        word = text[start:pos]
        skip()
        if pos < len(text) and text[pos] == "(":
            pos += 1
            args = [node()]
            skip()
            while text[pos] == ",":
                pos += 1
                args.append(node())
                skip()
            pos += 1  # ')'
            a = args[0]
            b = args[1] if len(args) > 1 else None
            if word == "Add":
                return a + b
            if word == "Sub":
                return a - b
            if word == "Mul":
                return a * b
            if word == "Div":
                return a / b
            if word == "Neg":
                return -a
            raise ValueError("operator %s is not rational" % word)
        if word in NAMES:
            return NAMES[word]
        return sympy.Rational(word)

    return node()


def one_pass(exprs):
    """One pass over distinct expressions, each seen once, SymPy's cache empty: (wall ms, CPU ms) per expression."""
    parsed = [parse(e) for e in exprs]
    sympy.core.cache.clear_cache()
    w = time.perf_counter()
    c = time.process_time()
    for p in parsed:
        sympy.cancel(sympy.together(p))
    return 1000.0 * (time.perf_counter() - w) / len(parsed), 1000.0 * (time.process_time() - c) / len(parsed)


def main():
    spec = json.load(open(sys.argv[1]))
    reps = int(spec.get("reps", 3))
    out = {}
    cached = {}
    cold = None
    if spec.get("cold"):
        wall, cpu = one_pass(spec["cold"])
        cold = {"wall_ms": wall, "cpu_ms": cpu}
    for name, exprs in spec["sets"].items():
        parsed = [parse(e) for e in exprs]
        for p in parsed[:5]:
            sympy.cancel(sympy.together(p))
        best = float("inf")
        for _ in range(reps):
            # SymPy caches the results of cancel: clear the cache so each round computes them.
            sympy.core.cache.clear_cache()
            t = time.perf_counter()
            for p in parsed:
                sympy.cancel(sympy.together(p))
            best = min(best, time.perf_counter() - t)
        out[name] = 1000.0 * best / len(parsed)
        # Without clearing: later rounds reuse cached subresults (a lower bound on SymPy's time).
        t = time.perf_counter()
        for p in parsed:
            sympy.cancel(sympy.together(p))
        cached[name] = 1000.0 * (time.perf_counter() - t) / len(parsed)
    print(json.dumps({"sympy": sympy.__version__, "ms_per_expr": out, "cached_ms_per_expr": cached, "cold": cold}))


if __name__ == "__main__":
    main()
