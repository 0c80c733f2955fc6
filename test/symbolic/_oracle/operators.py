#!/usr/bin/env python3
"""High-precision values of every operator of the language, for
test/symbolic/accuracy.test.ts. Run from the repository root:

    python3 test/symbolic/_oracle/operators.py > test/symbolic/_oracle/operators.json

Each value is the operator's exact mathematical value at the (exactly
representable) float64 inputs, computed with mpmath at 400 digits and printed
to 25 significant digits. The guards of SEMANTICS.md are part of the
operators: Log is ln(a + 1e-20) and Div a/(b + 1e-20), where the guard's sum
is the float64 sum the language's code performs (a + 1e-20 rounds to a for
|a| > 1e-4); Exp is e^min(a, 88). Inputs are float32-representable so the
float32 paths are checked on the same points.
"""
import json
import random
import struct

import mpmath as mp

# 400 digits: the defining formulas cancel (Salf's h/√(1+h²) + 1 at h = −5e29 loses 60
# digits) and mpmath's exponent range keeps the tails; values are then printed to 25.
mp.mp.dps = 400
rng = random.Random(20261129)


def f32(x):
    return struct.unpack('f', struct.pack('f', x))[0]


MAGNITUDES = [0.0, 1e-30, 1e-10, 1e-5, 1e-3, 0.01, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0,
              7.0, 9.75, 12.0, 16.0, 20.0, 27.5, 30.0, 40.0, 60.0, 87.0, 88.0, 100.0, 200.0, 500.0, 700.0,
              1000.0, 1e4, 1e6, 1e10, 1e20, 1e30]


def grid(lo=-float('inf'), hi=float('inf')):
    xs = set()
    for m in MAGNITUDES:
        for s in (1.0, -1.0):
            xs.add(f32(s * m))
    for _ in range(300):
        m = 10 ** rng.uniform(-6, 3)
        xs.add(f32(m if rng.random() < 0.5 else -m))
    return sorted(x for x in xs if lo <= x <= hi)


def ln_guarded(a):
    return mp.log(mp.mpf(float(a) + 1e-20))  # the float64 guard, then the exact logarithm


def sig(a):
    return 1 / (1 + mp.exp(-a))


def serf(a):
    return mp.erfc(-mp.sqrt(mp.pi) * a / 4) / 2


def salf(a):
    h = a / 2
    return (h / mp.sqrt(1 + h * h) + 1) / 2


def sgdf(a):
    return 2 / mp.pi * mp.atan(mp.exp(mp.pi * a / 4))


def softplus(a):
    return mp.log1p(mp.exp(a))


UNARY = {
    'Neg': (lambda a: -a, grid()),
    'Abs': (lambda a: abs(a), grid()),
    'Relu': (lambda a: max(a, 0), grid()),
    'Sqrt': (mp.sqrt, grid(lo=0)),
    'Log': (ln_guarded, grid(lo=0)),
    'Exp': (lambda a: mp.exp(min(a, 88)), grid()),
    'Sin': (mp.sin, grid()),
    'Cos': (mp.cos, grid()),
    'Tanh': (mp.tanh, grid()),
    'Sig': (sig, grid()),
    'Softplus': (softplus, grid()),
    'Serf': (serf, grid()),
    'Salf': (salf, grid()),
    'Sgdf': (sgdf, grid()),
}


def pairs(n):
    out = []
    for _ in range(n):
        a = f32((10 ** rng.uniform(-5, 5)) * rng.choice((1, -1)))
        b = f32((10 ** rng.uniform(-5, 5)) * rng.choice((1, -1)))
        out.append((a, b))
    return out + [(0.0, 0.0), (1.0, 0.0), (-3.0, 1e-30), (2.0, -1.0)]


BINARY = {
    'Add': lambda a, b: a + b,
    'Sub': lambda a, b: a - b,
    'Mul': lambda a, b: a * b,
    'Div': lambda a, b: a / mp.mpf(b + 1e-20),
}


def num(v):
    return mp.nstr(v, 25, min_fixed=-1, max_fixed=-1) if v != 0 else '0'


def rows(n, cols, positive=False):
    out = []
    for _ in range(n):
        r = [f32(rng.uniform(0 if positive else -30, 30)) for _ in range(cols)]
        out.append(r)
    return out


result = {'unary': {}, 'binary': {}, 'softmax': [], 'dot': []}
for name, (f, xs) in UNARY.items():
    result['unary'][name] = [[x, num(f(mp.mpf(x)))] for x in xs]
for name, f in BINARY.items():
    result['binary'][name] = [[a, b, num(f(mp.mpf(a), mp.mpf(b)))] for a, b in pairs(200)]
for r in rows(50, 5) + [[0.0, 0.0], [-700.0, 0.0, 1.0], [80.0, 80.5, -80.0]]:
    xs = [mp.mpf(x) for x in r]
    total = mp.fsum(mp.exp(x) for x in xs)
    result['softmax'].append([r, [num(mp.exp(x) / total) for x in xs]])
# Dot on rows of like sign: a plain sum is then accurate to a few ulps (with
# cancellation no summation order is, which the language does not promise).
for a, b in zip(rows(50, 5, positive=True), rows(50, 5, positive=True)):
    result['dot'].append([a, b, num(mp.fsum(mp.mpf(x) * mp.mpf(y) for x, y in zip(a, b)))])
print(json.dumps(result, separators=(',', ':')))
