/**
 * `npm run bench:train`: seconds per training step of FCOS on the default
 * settings (batch 8 of 128×128 synthetic-like images, 5 classes, focal +
 * GIoU + centerness, Adam) on the tfjs backends, beside the same network,
 * batch and losses in PyTorch (bench/train_peer.py through Debian's
 * /usr/bin/python3), as ratios. The goal is within 3× of PyTorch.
 *
 * Options (env): BENCH_REPS (default 8), BENCH_CPU=1 to include the slow
 * `cpu` backend.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TINY_CHANNELS } from '../src/detect/backbone.js';
import { createFcos, fcosConfig } from '../src/detect/fcos.js';
import { strides } from '../src/detect/network.js';
import { SeededRng as Rng } from '../src/util/rng.js';
import { tf } from '../src/detect/tf.js';
import type { ImageTargets } from '../src/detect/types.js';
import { setupBackend } from '../src/train/backend.js';
import { DEFAULT_OPTIMIZER, Optimizer } from '../src/train/optimizer.js';
import { makeDetectorLosses } from '../src/train/trainer.js';
import { measure, printLoad, printTable, type Timing } from './tensor-timing.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const REPS = Number(process.env['BENCH_REPS'] ?? 8);
const B = 8, S = 128, C = 5;

/** A fixed batch: smooth random images and 1–3 boxes per image. */
function makeBatch(): { images: Float32Array; targets: ImageTargets[] } {
  const rng = new Rng(42);
  const images = new Float32Array(B * S * S * 3);
  for (let i = 0; i < images.length; i++) images[i] = rng.next();
  const targets = Array.from({ length: B }, () => {
    const k = 1 + rng.int(3);
    const boxes = new Float32Array(4 * k), labels = new Int32Array(k);
    for (let j = 0; j < k; j++) {
      const w = 14 + rng.next() * 70, x = rng.next() * (S - w), y = rng.next() * (S - w);
      boxes.set([x, y, x + w, y + w], 4 * j);
      labels[j] = rng.int(C);
    }
    return { boxes, labels };
  });
  return { images, targets };
}

async function tfjsStep(backend: 'wasm' | 'cpu', batch: ReturnType<typeof makeBatch>, reps: number): Promise<Timing> {
  await setupBackend(backend);
  const det = createFcos(C, new Rng(0));
  const losses = makeDetectorLosses('fcos', 'focal', 'giou');
  const entries = det.params.entries();
  const nameOf = new Map(entries.map(([n, v]) => [v.name, n]));
  const opt = new Optimizer({ ...DEFAULT_OPTIMIZER, kind: 'adam', weightDecay: 0, clipNorm: 0 });
  const x = tf.tensor4d(batch.images, [B, S, S, 3]);
  const rng = new Rng(1);
  const t = measure(() => {
    const { value, grads } = tf.variableGrads(() => tf.addN(Object.values(det.losses(x, batch.targets, losses, rng))) as tf.Scalar, entries.map(([, v]) => v));
    opt.step(entries, new Map(Object.entries(grads).map(([vn, g]) => [nameOf.get(vn)!, g])), 2e-3);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  }, reps);
  x.dispose();
  opt.dispose();
  det.params.dispose();
  return t;
}

function peer(batch: ReturnType<typeof makeBatch>, threads: number): { t: Timing; version: string } | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const dir = mkdtempSync(join(tmpdir(), 'bench-train-'));
  const file = join(dir, 'images.f32');
  writeFileSync(file, new Uint8Array(batch.images.buffer));
  const spec = {
    images: file,
    batch: B,
    size: S,
    classes: C,
    channels: TINY_CHANNELS,
    fpn: fcosConfig().net.fpn,
    strides: strides(fcosConfig().net),
    headConvs: fcosConfig().towerConvs,
    targets: batch.targets.map((t) => ({ boxes: Array.from(t.boxes), labels: Array.from(t.labels) })),
    threads,
    reps: REPS,
  };
  const r = spawnSync(PYTHON, [join(HERE, 'train_peer.py'), JSON.stringify(spec)], { encoding: 'utf8' });
  if (r.status !== 0) return `peer failed: ${(r.stderr || r.error?.message || '').split('\n').filter(Boolean).pop()}`;
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { torch: string; ms: Timing };
  return { t: out.ms, version: out.torch };
}

const batch = makeBatch();
printLoad();
const p1 = peer(batch, 1);
const p2 = peer(batch, 2);
const rows: { name: string; t: Timing }[] = [];
if (typeof p2 !== 'string') rows.push({ name: `PyTorch ${p2.version} CPU, 2 threads`, t: p2.t });
rows.push({ name: 'tfjs wasm (XNNPACK, 1 thread)', t: await tfjsStep('wasm', batch, REPS) });
if (process.env['BENCH_CPU'] === '1') rows.push({ name: 'tfjs cpu (plain JS)', t: await tfjsStep('cpu', batch, 2) });
printTable(
  `FCOS training step, batch ${B}×${S}×${S}, ${C} classes, focal + GIoU + centerness, Adam (median of ${REPS}); ratios vs PyTorch 1 thread`,
  typeof p1 === 'string' ? p1 : { name: `PyTorch ${p1.version} CPU, 1 thread`, t: p1.t },
  rows,
);
const wasm = rows.find((r) => r.name.startsWith('tfjs wasm'))!;
if (typeof p1 !== 'string') console.log(`\nseconds per step: tfjs wasm ${(wasm.t.wall / 1000).toFixed(3)} s, PyTorch (1 thread) ${(p1.t.wall / 1000).toFixed(3)} s → ratio ${(wasm.t.wall / p1.t.wall).toFixed(2)}× wall, ${(wasm.t.cpu / p1.t.cpu).toFixed(2)}× CPU (goal ≤ 3×)`);
