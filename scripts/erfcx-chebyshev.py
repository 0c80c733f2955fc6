#!/usr/bin/env python3
"""Chebyshev coefficients of erfcx(x) = e^(x^2) erfc(x) on x >= 0, for
src/symbolic/scalar-math.ts.

With t = (x - K)/(x + K), K = 3.75 (Schonfelder's substitution, Math. Comp.
32 (1978)), g(t) = (1 + 2x) erfcx(x) is smooth on [-1, 1] (g(1) = 2/sqrt(pi)),
so sum_j c_j T_j(t) converges fast. The coefficients are computed from g at
the Chebyshev nodes in 50-digit arithmetic (mpmath) and printed down to
|c_j| < 1e-20, far below float64's resolution of g (about 1.1): the float64
series of scalar-math.ts. The second line is the series cut at degree 13 and
turned into powers of t, rounded to float32, for the float32 tensor builders
(Horner in float32: within 1e-7 relative of g, ~2 float32 ulps).

Usage: /usr/bin/python3 scripts/erfcx-chebyshev.py
"""
import struct

import mpmath as mp

mp.mp.dps = 50
K = mp.mpf('3.75')
N = 90


def g(t):
    if t == 1:
        return 2 / mp.sqrt(mp.pi)
    x = K * (1 + t) / (1 - t)
    return (1 + 2 * x) * mp.exp(x * x) * mp.erfc(x)


nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / N) for k in range(N)]
vals = [g(t) for t in nodes]
coef = []
for j in range(N):
    s = mp.fsum(vals[k] * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / N) for k in range(N))
    coef.append(2 * s / N)
coef[0] /= 2
last = max(j for j in range(N) if abs(coef[j]) > mp.mpf('1e-20'))
print(', '.join(repr(float(c)) for c in coef[: last + 1]))

DEGREE = 13
cheb = [[mp.mpf(1)], [mp.mpf(0), mp.mpf(1)]]
for n in range(2, DEGREE + 1):
    up = [mp.mpf(0)] + [2 * v for v in cheb[n - 1]]
    down = cheb[n - 2] + [mp.mpf(0)] * (len(up) - len(cheb[n - 2]))
    cheb.append([u - d for u, d in zip(up, down)])
power = [mp.mpf(0)] * (DEGREE + 1)
for j in range(DEGREE + 1):
    for k, v in enumerate(cheb[j]):
        power[k] += coef[j] * v
print(', '.join(repr(struct.unpack('f', struct.pack('f', float(v)))[0]) for v in power))
