/**
 * `npm run bench:train`: milliseconds per training step of FCOS and Faster
 * R-CNN (batch 8 of 128×128, 5 classes, each detector's default losses,
 * Adam; bench/train-step.ts) on tfjs wasm, beside the same network, batch
 * and losses in PyTorch on one thread (bench/train_peer.py through Debian's
 * /usr/bin/python3), in the same run, as ratios; and a 1024³ matMul of both,
 * the line that shows how close one wasm thread can get to PyTorch. FCOS also
 * runs on 2 data-parallel workers (src/train/parallel.ts), in wall time.
 *
 * The peer really runs on one thread: it is spawned with OMP_NUM_THREADS=1
 * and MKL_NUM_THREADS=1 and calls torch.set_num_threads(1) and
 * set_num_interop_threads(1); its CPU time against its wall time and its
 * thread count are printed so that a reader can check. It builds the same
 * network from the sizes `peerSpec` reads off the project's configuration;
 * both sides' trainable parameter counts are printed (and in `--json`), and a
 * difference is reported as a mismatch and exits 1.
 *
 * The machine may be shared and its speed moves by ±30% within a minute, so
 * the two sides are timed step by step in turn: the peer stays up between
 * requests (train_peer.py), and the sides take turns, `--reps` per
 * measurement (the 1024³ matMul likewise): each turn, after a 30 ms rest, is
 * two steps back to back of which the second is timed (bench/peer-server.ts
 * `interleaved`). Every measurement is repeated in `--rounds` rounds, and
 * the median and the spread of the rounds' ratios are reported.
 *
 * Our steps are timed in the steady state a training run spends its time
 * in: each is built once (its workers too) and runs `--warmup` steps before
 * its first measurement. V8 compiles the step's JavaScript on background
 * threads, and every worker is an isolate of its own that compiles it all
 * again. Measured with --trace-opt, TurboFan's compile time per 10 steps
 * of FCOS: on one worker 1063, 224, 293, 90 ms over steps 0–40; on two
 * workers 4768, 898, 836, 361, 268, 212 ms over steps 0–60, then 20–470.
 * On two workers that work takes the cores both shards step on (84 ms of
 * it per step over steps 20–30), so the warm-up runs past it: 50 steps.
 * PyTorch compiles nothing and warms up one step.
 *
 * Flags: --json (one JSON object on stdout), --profile (per-kernel
 * tf.profile of one step of each detector instead), --rounds N (default 5),
 * --reps N (steps per measurement, default 5), --warmup N (default 50).
 * Env: BENCH_CPU=1 adds the plain-JS `cpu` backend at one worker.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { DetectorKind } from '../src/detect/types.js';
import { tf } from '../src/detect/tf.js';
import { setupBackend } from '../src/train/backend.js';
import { makeBatch, makeParallelStep, makeStep, paramCount, peerSpec, profileStep, type Batch } from './train-step.js';
import { interleaved, PeerServer } from './peer-server.js';
import { measure, median, printLoad, type Timing } from './tensor-timing.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: { json: { type: 'boolean' }, profile: { type: 'boolean' }, rounds: { type: 'string' }, reps: { type: 'string' }, warmup: { type: 'string' } },
});
const ROUNDS = Number(args.rounds ?? 5);
const REPS = Number(args.reps ?? process.env['BENCH_REPS'] ?? 5);
const WARMUP = Number(args.warmup ?? 50);
const MATMUL = 1024;
const log = (s: string): void => void (args.json ? process.stderr : process.stdout).write(`${s}\n`);

/** What the peer says when it is ready. */
interface PeerReady {
  readonly torch: string;
  readonly params: number;
  readonly live_threads: number;
}

/** The peer for `detector` on `batch` (train_peer.py). */
async function startPeer(detector: DetectorKind, batch: Batch): Promise<{ peer: PeerServer; ready: PeerReady } | string> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-train-'));
  try {
    const file = join(dir, 'images.f32');
    writeFileSync(file, new Uint8Array(batch.images.buffer));
    // The batch file is read before the peer says it is ready.
    return await PeerServer.start<PeerReady>(join(HERE, 'train_peer.py'), { ...peerSpec(detector, file, batch), threads: 1 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A step of ours, built and warmed up once, timed one step at a time between the peer's. */
interface OursStep {
  once(): Promise<Timing>;
  dispose(): Promise<void>;
}

function oursStep(detector: DetectorKind, batch: Batch): OursStep {
  const s = makeStep(detector, batch);
  for (let i = 0; i < WARMUP; i++) s.step();
  return { once: async () => measure(s.step, 1, 0), dispose: async () => s.dispose() };
}

/** The data-parallel step: wall time of the whole process (all threads) and its CPU time. */
async function oursParallelStep(detector: DetectorKind, batch: Batch, workers: number): Promise<OursStep> {
  const s = await makeParallelStep(detector, batch, workers);
  for (let i = 0; i < WARMUP; i++) await s.step();
  return {
    once: async () => {
      const t = performance.now(), c = process.cpuUsage();
      await s.step();
      const d = process.cpuUsage(c);
      return { wall: performance.now() - t, cpu: (d.user + d.system) / 1000 };
    },
    dispose: () => s.dispose(),
  };
}


interface Row {
  detector: string;
  backend: string;
  workers: number;
  ours: Timing[];
  peer: Timing[];
  step?: OursStep;
  /** Trainable parameters of each side's network: equal when the peer builds the same one. */
  oursParams?: number;
  peerParams?: number;
}

function summarise(r: Row): Record<string, unknown> {
  const ratios = r.ours.map((o, i) => o.wall / r.peer[i]!.wall);
  const cpuRatios = r.ours.map((o, i) => o.cpu / r.peer[i]!.cpu);
  return {
    detector: r.detector,
    backend: r.backend,
    workers: r.workers,
    ours_ms: +median(r.ours.map((t) => t.wall)).toFixed(2),
    peer_ms: +median(r.peer.map((t) => t.wall)).toFixed(2),
    ratio: +median(ratios).toFixed(3),
    ratio_min: +Math.min(...ratios).toFixed(3),
    ratio_max: +Math.max(...ratios).toFixed(3),
    ours_cpu_ms: +median(r.ours.map((t) => t.cpu)).toFixed(2),
    peer_cpu_ms: +median(r.peer.map((t) => t.cpu)).toFixed(2),
    cpu_ratio: +median(cpuRatios).toFixed(3),
    ...(r.oursParams === undefined ? {} : { ours_params: r.oursParams, peer_params: r.peerParams }),
  };
}

const batch = makeBatch();
const backend = await setupBackend('wasm');
if (args.profile) {
  for (const d of ['fcos', 'faster-rcnn'] as const) {
    const s = makeStep(d, batch);
    const p = await profileStep(s.step);
    s.dispose();
    console.log(`\n${d}: one step ${p.wallMs.toFixed(1)} ms wall (profiled), ${p.kernelMs.toFixed(1)} ms in kernels; top kernels (ms, calls):`);
    for (const k of p.kernels.slice(0, 15)) console.log(`  ${k.name.padEnd(28)}${k.ms.toFixed(1).padStart(9)}${String(k.calls).padStart(7)}`);
  }
  process.exit(0);
}

// On stderr under --json, where stdout carries the one JSON object.
printLoad(log);
const rows: Row[] = [
  { detector: 'fcos', backend: backend.name, workers: 1, ours: [], peer: [] },
  { detector: 'faster-rcnn', backend: backend.name, workers: 1, ours: [], peer: [] },
  { detector: 'fcos', backend: backend.name, workers: 2, ours: [], peer: [] },
];
const mm: Row = { detector: `matMul ${MATMUL}³`, backend: backend.name, workers: 1, ours: [], peer: [] };
/** One peer per detector, shared by its rows, and what it said when ready. */
const peers = new Map<string, { peer: PeerServer; ready: PeerReady }>();
const matA = tf.randomNormal([MATMUL, MATMUL]);
const oursMatmul = async (): Promise<Timing> => measure(() => tf.tidy(() => void tf.matMul(matA, matA).dataSync()), 1, 0);
let version = '';
let peerThreads = 0;
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const row of rows) {
      let entry = peers.get(row.detector);
      if (!entry) {
        const started = await startPeer(row.detector as DetectorKind, batch);
        if (typeof started === 'string') {
          log(`PyTorch peer unavailable: ${started}`);
          process.exit(1);
        }
        entry = started;
        peers.set(row.detector, entry);
        version = entry.ready.torch;
        // The peer's warm-up, as before: one untimed step.
        await entry.peer.request('step');
      }
      const { peer } = entry;
      row.peerParams = entry.ready.params;
      row.oursParams ??= paramCount(row.detector as DetectorKind);
      row.step ??= row.workers === 1 ? oursStep(row.detector as DetectorKind, batch) : await oursParallelStep(row.detector as DetectorKind, batch, row.workers);
      const t = await interleaved(peer, 'step', row.step.once, REPS);
      row.ours.push(t.ours);
      row.peer.push(t.peer);
      log(`round ${round + 1}/${ROUNDS} ${row.detector} ×${row.workers}: ours ${t.ours.wall.toFixed(1)} ms, PyTorch ${t.peer.wall.toFixed(1)} ms`);
    }
    const mm1 = await interleaved(peers.get(rows[0]!.detector)!.peer, `matmul ${MATMUL}`, oursMatmul, REPS);
    mm.ours.push(mm1.ours);
    mm.peer.push(mm1.peer);
  }
  for (const { peer } of peers.values()) peerThreads = Math.max(peerThreads, (await peer.request<{ live_threads: number }>('threads')).live_threads);
} finally {
  for (const { peer } of peers.values()) peer.close();
  for (const row of rows) await row.step?.dispose();
  matA.dispose();
}
const checks = rows.map((r) => `${r.detector} ×${r.workers}: peer CPU/wall ${(median(r.peer.map((t) => t.cpu)) / median(r.peer.map((t) => t.wall))).toFixed(2)}`);
checks.push(`${peerThreads} threads alive in each peer`);
const results = rows.map(summarise);
const limit = summarise(mm);
if (args.json) {
  console.log(JSON.stringify({ results, limit, peer: `PyTorch ${version} CPU, 1 thread`, rounds: ROUNDS, reps: REPS, warmup: WARMUP }));
} else {
  log(`\nTraining step, batch 8×128×128, 5 classes, default losses, Adam; PyTorch ${version} on 1 thread; median of ${REPS} steps after ${WARMUP} warm-up steps, ${ROUNDS} rounds`);
  log(`  ${'detector'.padEnd(16)}${'workers'.padStart(8)}${'ours ms'.padStart(10)}${'peer ms'.padStart(10)}${'ratio'.padStart(8)}${'spread'.padStart(15)}${'CPU ratio'.padStart(11)}`);
  for (const r of [...results, limit]) {
    log(`  ${String(r['detector']).padEnd(16)}${String(r['workers']).padStart(8)}${String(r['ours_ms']).padStart(10)}${String(r['peer_ms']).padStart(10)}${`${r['ratio']}×`.padStart(8)}${`${r['ratio_min']}–${r['ratio_max']}×`.padStart(15)}${`${r['cpu_ratio']}×`.padStart(11)}`);
  }
  log(`peer checks: ${[...new Set(checks)].join('; ')}`);
}
// The peer must build the same network: a different parameter count says it does not.
const params = rows.filter((r, i) => rows.findIndex((q) => q.detector === r.detector) === i);
log(`trainable parameters, ours / peer: ${params.map((r) => `${r.detector} ${r.oursParams} / ${r.peerParams}`).join('; ')}`);
const mismatched = params.filter((r) => r.oursParams !== r.peerParams);
if (mismatched.length) {
  log(`MISMATCH: the peer's ${mismatched.map((r) => r.detector).join(', ')} is not our network; its ratio compares different networks`);
  process.exitCode = 1;
}
