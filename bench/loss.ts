/**
 * `npm run bench:loss`: forward + backward (value and gradient) of every
 * built-in training loss (the four published CSE-Autoloss losses and the
 * baselines: the table in src/symbolic/builtins.ts) on the tfjs paths
 * (generic tfjs ops and the fused kernel, on wasm and cpu), beside PyTorch
 * on one thread running the module `src/export/pytorch.ts` generates for the
 * same expression (bench/loss_peer.py through Debian's /usr/bin/python3), on
 * the same shapes in the same run, as ratios.
 *
 * Classification at N = 20000 × C = 80 (multi adds the background column),
 * regression at N = 20000 boxes. The peer really runs on one thread: it is
 * spawned with OMP_NUM_THREADS=1 and calls set_num_threads(1) and
 * set_num_interop_threads(1); its CPU/wall ratio is printed.
 *
 * Every path and the peer are measured in `--rounds` rounds (ours, then the
 * peer, in turn), since the machine may be shared: a single measurement of
 * each side could land in different phases of its speed. Times are the
 * medians over the rounds; a ratio is the median of the rounds' ratios, its
 * spread in --json.
 *
 * Flags: --json (one JSON object on stdout: for each loss the best tfjs
 * path's ms, the peer's ms and their ratio), --reps N (default 5; after 3
 * untimed steps, as the peer's), --rounds N (default 3).
 * Env: BENCH_CPU=1 adds the cpu backend's generic (slow) path.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type * as tfc from '@tensorflow/tfjs-core';
import { toPytorch } from '../src/export/pytorch.js';
import { BUILTIN_LOSSES, resolveLoss } from '../src/symbolic/builtins.js';
import type { Domain } from '../src/symbolic/domains.js';
import { getTf, setupBackend } from '../src/train/backend.js';
import { makeClsLoss, makeRegLoss, type KernelChoice } from '../src/train/losses.js';
import { measure, median, medianTiming, printLoad, printTable, type Timing } from './tensor-timing.js';
import { ONE_THREAD_ENV, PYTHON } from './peer-server.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({ options: { json: { type: 'boolean' }, reps: { type: 'string' }, rounds: { type: 'string' } } });
const REPS = Number(args.reps ?? process.env['BENCH_REPS'] ?? 5);
const ROUNDS = Number(args.rounds ?? 3);
const N = 20000;
const C = 80;
const PEER_WARMUP = 3;

interface Case {
  readonly name: string;
  readonly loss: string;
  readonly domain: Domain;
  readonly n: number;
  /** Object classes (multi adds the background column). */
  readonly c: number;
}
const CASES: Case[] = BUILTIN_LOSSES.map((b) => ({
  name: b.domain === 'reg' ? `${b.name} N=${N}` : `${b.name} N=${N} C=${C}`,
  loss: b.name,
  domain: b.domain,
  n: N,
  c: b.domain === 'reg' ? 1 : C,
}));

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
  // The case's inputs are freed with the scope: every round builds them again.
  tf.engine().startScope();
  try {
    return timeCaseIn(c, kernel, reps);
  } finally {
    tf.engine().endScope();
  }
}

function timeCaseIn(c: Case, kernel: KernelChoice, reps: number): Timing {
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
  // Warmed up as the peer is (peer_timing.py: 3 untimed steps): a generated kernel reaches its optimised code there.
  return measure(step, reps, reps > 1 ? PEER_WARMUP : 1);
}

function peer(): { ms: Record<string, Timing>; version: string; threads: number } | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const cases = CASES.map((c) => ({
    name: c.name,
    domain: c.domain,
    n: c.n,
    c: c.c,
    module: 'BenchLoss',
    source: toPytorch(resolveLoss(c.loss, { domain: c.domain }).tree, c.domain, { name: 'BenchLoss' }),
  }));
  const env = { ...process.env, ...ONE_THREAD_ENV };
  const r = spawnSync(PYTHON, [join(HERE, 'loss_peer.py'), JSON.stringify({ threads: 1, reps: 20, cases })], { encoding: 'utf8', maxBuffer: 1 << 24, env });
  if (r.status !== 0) return `peer failed: ${(r.stderr || r.error?.message || '').split('\n').filter(Boolean).pop()}`;
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { torch: string; ms: Record<string, Timing>; live_threads: number };
  return { ms: out.ms, version: out.torch, threads: out.live_threads };
}

type PathResult = { backend: string; kernel: KernelChoice; ms: Record<string, Timing> };
const PATHS = (
  [
    ['wasm', 'tfjs'],
    ['wasm', 'fused'],
    ['cpu', 'fused'],
    ['cpu', 'tfjs'],
  ] as const
).filter(([backend, kernel]) => !(backend === 'cpu' && kernel === 'tfjs' && process.env['BENCH_CPU'] !== '1'));
const rounds: { results: PathResult[]; peer: ReturnType<typeof peer> }[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const results: PathResult[] = [];
  for (const [backend, kernel] of PATHS) {
    await setupBackend(backend);
    const ms: Record<string, Timing> = {};
    for (const c of CASES) ms[c.name] = timeCase(c, kernel, backend === 'cpu' && kernel === 'tfjs' ? 1 : REPS);
    results.push({ backend, kernel, ms });
  }
  rounds.push({ results, peer: peer() });
  if (!args.json) process.stderr.write(`round ${round + 1}/${ROUNDS} measured\n`);
}
/** Each path's median time per case over the rounds. */
const results: PathResult[] = PATHS.map(([backend, kernel], i) => ({
  backend,
  kernel,
  ms: Object.fromEntries(CASES.map((c) => [c.name, medianTiming(rounds.map((r) => r.results[i]!.ms[c.name]!))])),
}));
const failed = rounds.map((r) => r.peer).find((q): q is string => typeof q === 'string');
const peers = rounds.map((r) => r.peer).filter((q): q is Exclude<typeof q, string> => typeof q !== 'string');
const p: ReturnType<typeof peer> = failed ?? { ms: Object.fromEntries(CASES.map((c) => [c.name, medianTiming(peers.map((q) => q.ms[c.name]!))])), version: peers[0]!.version, threads: Math.max(...peers.map((q) => q.threads)) };
/** The rounds' ratios of a path's time to the peer's, for one case. */
const roundRatios = (c: Case, path: PathResult): number[] => {
  const i = results.indexOf(path);
  return rounds.map((r) => r.results[i]!.ms[c.name]!.wall / (r.peer as Exclude<typeof r.peer, string>).ms[c.name]!.wall);
};
const pathName = (r: PathResult): string => `tfjs ${r.backend}, ${r.kernel === 'fused' ? 'fused kernel' : 'tfjs ops'}`;
/** The fastest tfjs path of a case, by median wall time. */
const bestPath = (c: Case): PathResult => results.reduce((a, b) => (b.ms[c.name]!.wall < a.ms[c.name]!.wall ? b : a));
const best = (c: Case): { name: string; t: Timing } => {
  const r = bestPath(c);
  return { name: pathName(r), t: r.ms[c.name]! };
};
if (args.json) {
  const out = CASES.map((c) => {
    const b = best(c);
    const peerMs = typeof p === 'string' ? null : p.ms[c.name]!.wall;
    const ratios = typeof p === 'string' ? [] : roundRatios(c, bestPath(c));
    return {
      loss: c.loss,
      domain: c.domain,
      n: c.n,
      c: c.c,
      path: b.name,
      ours_ms: b.t.wall,
      peer_ms: peerMs,
      ratio: peerMs === null ? null : median(ratios),
      ...(peerMs === null ? {} : { ratio_min: Math.min(...ratios), ratio_max: Math.max(...ratios) }),
    };
  });
  process.stdout.write(`${JSON.stringify({ peer: typeof p === 'string' ? { error: p } : { torch: p.version, threads: 1, live_threads: p.threads }, rounds: ROUNDS, results: out })}\n`);
} else {
  console.log('loss forward + backward (value and gradient); ratios are tfjs / PyTorch on one thread');
  printLoad();
  if (typeof p !== 'string') console.log(`PyTorch peer: ${p.threads} live threads (OMP_NUM_THREADS=1, set_num_threads(1), set_num_interop_threads(1))`);
  for (const c of CASES) {
    printTable(
      c.name,
      typeof p === 'string' ? p : { name: `PyTorch ${p.version} CPU (1 thread)`, t: p.ms[c.name]! },
      results.map((r) => ({ name: pathName(r), t: r.ms[c.name]! })),
    );
  }
  console.log(`\nbest tfjs path per loss (median wall ms over ${ROUNDS} rounds; ratio to PyTorch on one thread: median of the rounds' ratios, and their spread):`);
  for (const c of CASES) {
    const b = best(c);
    const ratios = typeof p === 'string' ? [] : roundRatios(c, bestPath(c));
    const r = ratios.length ? `${median(ratios).toFixed(2)}×` : '';
    const spread = ratios.length > 1 ? `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×` : '';
    console.log(`  ${c.name.padEnd(32)}${b.t.wall.toFixed(2).padStart(10)}  ${r.padStart(7)}  ${spread.padStart(12)}  ${b.name}`);
  }
}
