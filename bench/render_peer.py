"""Peer for bench/render.ts: SymPy's LaTeX printer on the same prefix
expressions, timed in this process. Reads a JSON file {"exprs": [prefix, ...],
"reps": n} and prints {"sympy": version, "ms_per_expr": ms} on stdout.

Operators SymPy has are mapped to SymPy functions (log, exp, sin, Abs, ...);
the others (σ, scaled erf, gd, softmax, dot, ...) are undefined functions,
which SymPy prints as \\operatorname-style names. Building the expressions is
not timed.
"""
import json
import sys
import time

import sympy

NAMES = {n: sympy.Symbol(n) for n in ["X", "Y", "Z", "Q", "PY", "NY", "U", "I", "E"]}
UNARY = {
    "Neg": lambda a: -a,
    "Log": sympy.log,
    "Exp": sympy.exp,
    "Abs": sympy.Abs,
    "Sqrt": sympy.sqrt,
    "Sin": sympy.sin,
    "Cos": sympy.cos,
    "Tanh": sympy.tanh,
}
BINARY = {"Add": lambda a, b: a + b, "Sub": lambda a, b: a - b, "Mul": lambda a, b: a * b, "Div": lambda a, b: a / b}
OTHER = {name: sympy.Function(name.lower()) for name in ["Sig", "Serf", "Sgdf", "Salf", "Softplus", "Softmax", "Relu", "Dot"]}


def parse(text):
    pos = 0

    def node():
        nonlocal pos
        while text[pos] == " ":
            pos += 1
        start = pos
        while pos < len(text) and (text[pos].isalnum() or text[pos] in "._-"):
            pos += 1
        word = text[start:pos]
        if pos < len(text) and text[pos] == "(":
            pos += 1
            args = [node()]
            while text[pos] == ",":
                pos += 1
                args.append(node())
            pos += 1
            if word in UNARY:
                return UNARY[word](args[0])
            if word in BINARY:
                return BINARY[word](*args)
            return OTHER[word](*args)
        if word in NAMES:
            return NAMES[word]
        if word == "pi":
            return sympy.pi
        return sympy.Rational(word)

    return node()


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    exprs = [parse(t) for t in job["exprs"]]
    for e in exprs:
        sympy.latex(e)
    best = float("inf")
    for _ in range(job["reps"]):
        t0 = time.perf_counter()
        for e in exprs:
            sympy.latex(e)
        best = min(best, time.perf_counter() - t0)
    json.dump({"sympy": sympy.__version__, "ms_per_expr": 1000 * best / len(exprs)}, sys.stdout)


main()
