/**
 * `npm run bench:conv`: one SGD step of a 3-layer conv net (batch 8×64×64×3 →
 * 32 → 64 → 5 channels, 3×3 convs, stride 2, ReLU, mean-square loss) on the
 * tfjs backends, beside PyTorch CPU (bench/conv_peer.py through Debian's
 * /usr/bin/python3) on the same shapes in the same run, as ratios to
 * PyTorch on one thread (OMP_NUM_THREADS=1, set_num_threads(1)); its
 * two-thread time is printed beside.
 *
 * The default wasm path and the one-thread peer (kept running between
 * requests, conv_peer.py's serve mode) take turns (bench/peer-server.ts
 * `interleaved`), BENCH_REPS per round, in BENCH_ROUNDS rounds (default 5);
 * the ratio reported is the median of the rounds' ratios, with each round's
 * printed, since the machine may be shared and its speed moves by ±30%
 * within a minute.
 *
 * Options (env): BENCH_REPS (default 10), BENCH_ROUNDS (default 5),
 * BENCH_CPU=0 to skip the slow `cpu` backend, BENCH_STRIDE (default 2).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tfc from '@tensorflow/tfjs-core';
import { getTf, setupBackend } from '../src/train/backend.js';
import { conv2dBias, setInputGradPath, type InputGradPath } from '../src/train/conv.js';
import { interleaved, PeerServer, PYTHON } from './peer-server.js';
import { measure, median, medianTiming, printLoad, printTable, type Timing } from './tensor-timing.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPS = Number(process.env['BENCH_REPS'] ?? 10);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const STRIDE = Number(process.env['BENCH_STRIDE'] ?? 2);
const SHAPE = { batch: 8, size: 64, channels: [3, 32, 64, 5] };

async function tfjsStep(backend: 'wasm' | 'cpu', reps: number): Promise<Timing> {
  const s = await buildStep(backend);
  // Warmed up as the peer is (peer_timing.py: 3 untimed steps).
  const t = measure(s.step, reps, 3);
  s.dispose();
  return t;
}

/** The step on `backend`, built once; `dispose` frees its tensors. */
async function buildStep(backend: 'wasm' | 'cpu'): Promise<{ step: () => number; dispose: () => void }> {
  await setupBackend(backend);
  const tf = getTf();
  const x = tf.randomNormal([SHAPE.batch, SHAPE.size, SHAPE.size, 3], 0, 1, 'float32', 0) as tfc.Tensor4D;
  const ws: tfc.Variable[] = [];
  const bs: tfc.Variable[] = [];
  for (let l = 0; l < 3; l++) {
    const [cin, cout] = [SHAPE.channels[l]!, SHAPE.channels[l + 1]!];
    ws.push(tf.variable(tf.randomNormal([3, 3, cin, cout], 0, Math.sqrt(2 / (9 * cin)), 'float32', l + 1)));
    bs.push(tf.variable(tf.zeros([cout])));
  }
  const opt = tf.train.sgd(0.01);
  const step = (): number => {
    const loss = opt.minimize(() => {
      let h: tfc.Tensor4D = x;
      for (let l = 0; l < 3; l++) {
        // The detectors' convolution layer: bias and ReLU in the convolution's kernel (conv.ts `conv2dBias`).
        h = conv2dBias(h, ws[l] as tfc.Tensor4D, bs[l] as tfc.Tensor1D, STRIDE, 'same', l < 2);
      }
      return tf.mean(tf.square(h)) as tfc.Scalar;
    }, true)!;
    const v = loss.dataSync()[0]!;
    loss.dispose();
    return v;
  };
  return { step, dispose: () => tf.dispose([x, ...ws, ...bs]) };
}

function peer(threads: number): { t: Timing; version: string } | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  // OpenMP reads its thread count when torch loads: set it in the environment too, so that 1 thread is really one.
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const r = spawnSync(PYTHON, [join(HERE, 'conv_peer.py'), JSON.stringify({ strides: [STRIDE], threads, reps: 20, ...SHAPE })], { encoding: 'utf8', env });
  if (r.status !== 0) return `peer failed: ${(r.stderr || r.error?.message || '').split('\n').filter(Boolean).pop()}`;
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { torch: string; ms: Record<string, Timing> };
  return { t: out.ms[String(STRIDE)]!, version: out.torch };
}


// The machine may be shared: the default path and its reference, PyTorch on one thread (one wasm
// instance runs on one), are timed step by step in turn (the peer stays up between requests), in
// rounds, and the ratio is the median of the rounds' ratios.
const ours: Timing[] = [];
const peers: Timing[] = [];
const started = await PeerServer.start<{ torch: string }>(join(HERE, 'conv_peer.py'), { stride: STRIDE, threads: 1, ...SHAPE });
if (typeof started === 'string') {
  console.log(`PyTorch peer unavailable: ${started}`);
  process.exit(1);
}
const version = started.ready.torch;
setInputGradPath('wasm', 'phases');
const main = await buildStep('wasm');
try {
  // Both warmed up: 3 untimed steps each, as peer_timing.py does.
  for (let i = 0; i < 3; i++) {
    await started.peer.request('step');
    main.step();
  }
  for (let round = 0; round < ROUNDS; round++) {
    const t = await interleaved(started.peer, 'step', () => measure(main.step, 1, 0), REPS);
    ours.push(t.ours);
    peers.push(t.peer);
  }
} finally {
  started.peer.close();
  main.dispose();
}
const ratios = ours.map((o, i) => o.wall / peers[i]!.wall);
const rows: { name: string; t: Timing }[] = [{ name: 'tfjs wasm (input grad: phases)', t: medianTiming(ours) }];
for (const path of ['conv', 'native'] as InputGradPath[]) {
  setInputGradPath('wasm', path);
  rows.push({ name: `tfjs wasm (input grad: ${path})`, t: await tfjsStep('wasm', REPS) });
}
setInputGradPath('wasm', 'phases');
if (process.env['BENCH_CPU'] !== '0') rows.push({ name: 'tfjs cpu', t: await tfjsStep('cpu', Math.min(REPS, 2)) });
const p2 = peer(2);
if (typeof p2 !== 'string') rows.unshift({ name: `PyTorch ${p2.version} CPU (2 threads)`, t: p2.t });
printLoad();
printTable(
  `conv net SGD step: batch ${SHAPE.batch}×${SHAPE.size}×${SHAPE.size}×3 → ${SHAPE.channels.slice(1).join(' → ')}, 3×3, stride ${STRIDE}; ratios to PyTorch on one thread (medians of ${ROUNDS} rounds for the first two rows)`,
  { name: `PyTorch ${version} CPU (1 thread)`, t: medianTiming(peers) },
  rows,
);
console.log(`
wasm (phases) / PyTorch 1 thread, by round: ${ratios.map((r) => `${r.toFixed(2)}×`).join(', ')}; median ${median(ratios).toFixed(2)}×`);
