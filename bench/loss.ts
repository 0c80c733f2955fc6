/**
 * `npm run bench:loss`: forward + backward of training losses on the tfjs
 * backends (generic tfjs ops and the fused kernel), beside PyTorch CPU
 * running the module `src/export/pytorch.ts` generates for the same
 * expression (bench/loss_peer.py through Debian's /usr/bin/python3), on the
 * same shapes in the same run, as ratios.
 *
 * The headline case is the issue's: Autoloss-B cls, N = 20000 × C = 80.
 * Options (env): BENCH_REPS (default 5), BENCH_CPU=0 to skip the slow `cpu`
 * backend's generic path, BENCH_THREADS (PyTorch threads, default 2).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tfc from '@tensorflow/tfjs-core';
import { toPytorch } from '../src/export/pytorch.js';
import { resolveLoss } from '../src/symbolic/builtins.js';
import type { Domain } from '../src/symbolic/domains.js';
import { getTf, setupBackend } from '../src/train/backend.js';
import { makeClsLoss, makeRegLoss, type KernelChoice } from '../src/train/losses.js';
import { measure, printLoad, printTable, type Timing } from './tensor-timing.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const REPS = Number(process.env['BENCH_REPS'] ?? 5);
const THREADS = Number(process.env['BENCH_THREADS'] ?? 2);

interface Case {
  readonly name: string;
  readonly loss: string;
  readonly domain: Domain;
  readonly n: number;
  /** Object classes (multi adds the background column). */
  readonly c: number;
}
const CASES: Case[] = [
  { name: 'autoloss-b-cls N=20000 C=80', loss: 'autoloss-b-cls', domain: 'binary', n: 20000, c: 80 },
  { name: 'autoloss-a-cls N=20000 C=80', loss: 'autoloss-a-cls', domain: 'multi', n: 20000, c: 80 },
  { name: 'autoloss-b-reg N=20000', loss: 'autoloss-b-reg', domain: 'reg', n: 20000, c: 1 },
];

/** A deterministic LCG in [0, 1): the same data on every backend. */
function uniform(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  });
}

function timeCase(c: Case, kernel: KernelChoice, reps: number): Timing {
  const tf = getTf();
  const { n } = c;
  let step: () => void;
  if (c.domain === 'reg') {
    const xy = uniform(2 * n, 1).map((v) => v * 50);
    const wh = uniform(2 * n, 2).map((v) => v * 30 + 1);
    const noise = uniform(4 * n, 3).map((v) => (v - 0.5) * 6);
    const t = new Float32Array(4 * n);
    for (let k = 0; k < n; k++) {
      t[4 * k] = xy[2 * k]!;
      t[4 * k + 1] = xy[2 * k + 1]!;
      t[4 * k + 2] = xy[2 * k]! + wh[2 * k]!;
      t[4 * k + 3] = xy[2 * k + 1]! + wh[2 * k + 1]!;
    }
    const target = tf.tensor2d(t, [n, 4]);
    const pred = tf.tensor2d(t.map((v, k) => v + noise[k]!), [n, 4]);
    const loss = makeRegLoss(c.loss, { kernel });
    const g = tf.valueAndGrad((p: tfc.Tensor) => loss({ pred: p as tfc.Tensor2D, target, avgFactor: n }));
    step = () => {
      const { value, grad } = g(pred);
      value.dataSync();
      grad.dataSync();
      tf.dispose([value, grad]);
    };
  } else {
    const cols = c.domain === 'multi' ? c.c + 1 : c.c;
    const logits = tf.tensor2d(uniform(n * cols, 4).map((v) => (v - 0.5) * 6), [n, cols]);
    const labels = tf.tensor1d(Int32Array.from(uniform(n, 5), (v) => Math.floor(v * (c.c + 1))), 'int32');
    const ious = tf.tensor1d(uniform(n, 6));
    const loss = makeClsLoss(c.loss, c.domain as 'multi' | 'binary', { kernel });
    const g = tf.valueAndGrad((x: tfc.Tensor) => loss({ logits: x as tfc.Tensor2D, labels, ious, avgFactor: n }));
    step = () => {
      const { value, grad } = g(logits);
      value.dataSync();
      grad.dataSync();
      tf.dispose([value, grad]);
    };
  }
  return measure(step, reps);
}

function peer(threads: number): { ms: Record<string, Timing>; version: string } | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const cases = CASES.map((c) => ({
    name: c.name,
    domain: c.domain,
    n: c.n,
    c: c.c,
    module: 'BenchLoss',
    source: toPytorch(resolveLoss(c.loss, { domain: c.domain }).tree, c.domain, { name: 'BenchLoss' }),
  }));
  const r = spawnSync(PYTHON, [join(HERE, 'loss_peer.py'), JSON.stringify({ threads, reps: 20, cases })], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return `peer failed: ${(r.stderr || r.error?.message || '').split('\n').filter(Boolean).pop()}`;
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { torch: string; ms: Record<string, Timing> };
  return { ms: out.ms, version: out.torch };
}

const results: { backend: string; kernel: KernelChoice; ms: Record<string, Timing> }[] = [];
for (const [backend, kernel] of [
  ['wasm', 'tfjs'],
  ['wasm', 'fused'],
  ['cpu', 'fused'],
  ['cpu', 'tfjs'],
] as const) {
  if (backend === 'cpu' && kernel === 'tfjs' && process.env['BENCH_CPU'] === '0') continue;
  await setupBackend(backend);
  const ms: Record<string, Timing> = {};
  for (const c of CASES) ms[c.name] = timeCase(c, kernel, backend === 'cpu' && kernel === 'tfjs' ? 1 : REPS);
  results.push({ backend, kernel, ms });
}
const p = peer(THREADS);
const p1 = THREADS === 1 ? 'same as above' : peer(1);
console.log('loss forward + backward (value and gradient); ratios are tfjs / PyTorch');
printLoad();
for (const c of CASES) {
  printTable(
    c.name,
    typeof p === 'string' ? p : { name: `PyTorch ${p.version} CPU (${THREADS} threads)`, t: p.ms[c.name]! },
    [
      ...(typeof p1 === 'string' ? [] : [{ name: `PyTorch ${p1.version} CPU (1 thread)`, t: p1.ms[c.name]! }]),
      ...results.map((r) => ({ name: `tfjs ${r.backend}, ${r.kernel === 'fused' ? 'fused kernel' : 'tfjs ops'}`, t: r.ms[c.name]! })),
    ],
  );
}
