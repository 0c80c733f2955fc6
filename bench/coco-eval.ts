/**
 * `node --import tsx bench/coco-eval.ts`: COCO bbox and segm evaluation beside
 * pycocotools (bench/coco_eval_peer.py through /usr/bin/python3, when it can
 * import pycocotools) on the same files in the same run, as ratios, with the
 * largest difference between the two sets of 12 numbers. Both sides time the
 * whole job: read the two files, index, evaluate, accumulate, summarize.
 * Then the data pipeline's own throughput (no peer): generating synthetic
 * images, and loader batches from a cold and a warm cache.
 *
 * Options (env): BENCH_REPS (default 5).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateCoco, validateDetections, type CocoAnnotation, type CocoDetection, type CocoJson } from '../src/data/coco-format.js';
import { loadDatasetFolder } from '../src/data/dataset.js';
import { DataLoader } from '../src/data/loader.js';
import { hashSeed, makeRng, randInt, uniform } from '../src/util/rng.js';
import { syntheticSpec } from '../src/data/synthetic.js';
import { writeDataset } from '../src/data/write-dataset.js';
import { compressRle, polygonToRle } from '../src/data/mask.js';
import { cocoEvaluate } from '../src/metrics/coco-eval.js';
import { COCO_PARAMS, type IouType } from '../src/metrics/coco-params.js';
import { measure, type Timing } from './tensor-timing.js';
import { PYTHON } from './peer-server.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPS = Number(process.env['BENCH_REPS'] ?? 5);

/** A detector-like result set: jittered true boxes, some misses and class confusions, background boxes up to 100 per image. */
function makeCase(seed: number, images: number, categories: number, objectsPerImage: number): { gt: CocoJson; dets: CocoDetection[] } {
  const rng = makeRng(hashSeed(seed));
  const gt: CocoJson = { images: [], annotations: [], categories: Array.from({ length: categories }, (_, k) => ({ id: k + 1, name: `class${k + 1}` })) };
  const dets: CocoDetection[] = [];
  for (let i = 1; i <= images; i++) {
    gt.images.push({ id: i, width: 640, height: 480 });
    const n = randInt(rng, 0, 2 * objectsPerImage);
    for (let j = 0; j < n; j++) {
      const w = uniform(rng, 8, 300);
      const h = uniform(rng, 8, 300);
      const a: CocoAnnotation = { id: gt.annotations.length + 1, image_id: i, category_id: randInt(rng, 1, categories), bbox: [uniform(rng, 0, 640 - w), uniform(rng, 0, 480 - h), w, h], area: w * h * uniform(rng, 0.5, 1), iscrowd: rng() < 0.01 ? 1 : 0 };
      gt.annotations.push(a);
      if (rng() < 0.15) continue;
      const jit = () => uniform(rng, -0.1, 0.1);
      dets.push({ image_id: i, category_id: rng() < 0.1 ? randInt(rng, 1, categories) : a.category_id, bbox: [a.bbox[0] + jit() * w, a.bbox[1] + jit() * h, w * (1 + jit()), h * (1 + jit())], score: uniform(rng, 0.3, 1) });
    }
    for (let j = n; j < 100; j++) {
      dets.push({ image_id: i, category_id: randInt(rng, 1, categories), bbox: [uniform(rng, 0, 600), uniform(rng, 0, 440), uniform(rng, 4, 200), uniform(rng, 4, 200)], score: uniform(rng, 0, 0.6) });
    }
  }
  return { gt, dets };
}

/** A 16-gon inscribed in an [x, y, w, h] box: an instance outline that is not its box. */
function ellipse(b: readonly number[]): number[] {
  return Array.from({ length: 16 }, (_, k) => [b[0]! + (b[2]! / 2) * (1 + Math.cos((k * Math.PI) / 8)), b[1]! + (b[3]! / 2) * (1 + Math.sin((k * Math.PI) / 8))]).flat();
}

/** The same case with masks: ground truth as polygons (crowds as uncompressed RLE), results as compressed RLE masks without boxes, as mmdetection writes them. */
function withMasks({ gt, dets }: { gt: CocoJson; dets: CocoDetection[] }): { gt: CocoJson; dets: object[] } {
  const annotations = gt.annotations.map((a) => ({ ...a, segmentation: a.iscrowd ? polygonToRle(ellipse(a.bbox), 480, 640) : [ellipse(a.bbox)] }));
  return { gt: { ...gt, annotations }, dets: dets.map((d) => ({ image_id: d.image_id, category_id: d.category_id, score: d.score, segmentation: compressRle(polygonToRle(ellipse(d.bbox), 480, 640)) })) };
}

function peer(gtPath: string, detsPath: string, iouType: IouType): { t: Timing; stats: number[]; version: string } | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, [join(HERE, 'coco_eval_peer.py'), gtPath, detsPath, String(REPS), iouType], { encoding: 'utf8' });
  if (r.status !== 0) return `peer failed: ${(r.stderr || r.error?.message || '').split('\n').filter(Boolean).pop()}`;
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { pycocotools: string; wall_ms: number; cpu_ms: number; stats: number[] };
  return { t: { wall: out.wall_ms, cpu: out.cpu_ms }, stats: out.stats, version: out.pycocotools };
}

function row(name: string, t: Timing, ref?: Timing): string {
  const r = (a: number, b: number | undefined) => (b === undefined ? '' : `${(a / b).toFixed(2)}×`).padStart(9);
  return `  ${name.padEnd(34)}${t.wall.toFixed(1).padStart(10)}${r(t.wall, ref?.wall)}${t.cpu.toFixed(1).padStart(11)}${r(t.cpu, ref?.cpu)}`;
}

const dir = mkdtempSync(join(tmpdir(), 'autoloss-bench-coco-'));
try {
  console.log(`load average: ${loadavg().map((v) => v.toFixed(1)).join(' ')} on ${availableParallelism()} cores (CPU times are robust to other work, wall times are not)`);
  const cases = [
    { name: 'val-like: 200 images, 5 classes', images: 200, categories: 5, objects: 2, iouType: 'bbox' as IouType },
    { name: 'coco-like: 1000 images, 80 classes', images: 1000, categories: 80, objects: 7, iouType: 'bbox' as IouType },
    { name: 'segm, val-like: 200 images, 5 classes', images: 200, categories: 5, objects: 2, iouType: 'segm' as IouType },
  ];
  for (const c of cases) {
    const boxes = makeCase(1, c.images, c.categories, c.objects);
    const { gt, dets } = c.iouType === 'segm' ? withMasks(boxes) : boxes;
    const gtPath = join(dir, 'gt.json');
    const detsPath = join(dir, 'dets.json');
    writeFileSync(gtPath, JSON.stringify(gt));
    writeFileSync(detsPath, JSON.stringify(dets));
    let stats: number[] = [];
    const ours = measure(() => {
      const g = validateCoco(JSON.parse(readFileSync(gtPath, 'utf8')), gtPath);
      stats = cocoEvaluate(g, validateDetections(JSON.parse(readFileSync(detsPath, 'utf8')), detsPath, g), { ...COCO_PARAMS, iouType: c.iouType }).stats;
    }, REPS);
    const p = peer(gtPath, detsPath, c.iouType);
    console.log(`\n${c.name}: ${gt.annotations.length} objects, ${dets.length} detections (AP ${stats[0]!.toFixed(4)})`);
    console.log(`  ${''.padEnd(34)}${'wall ms'.padStart(10)}${'ratio'.padStart(9)}${'CPU ms'.padStart(11)}${'ratio'.padStart(9)}`);
    if (typeof p === 'string') {
      console.log(`  pycocotools peer unavailable: ${p}`);
      console.log(row('autoloss cocoEvaluate', ours));
    } else {
      console.log(row(`pycocotools ${p.version}`, p.t));
      console.log(row('autoloss cocoEvaluate', ours, p.t));
      console.log(`  largest |difference| of the 12 numbers: ${Math.max(...stats.map((v, k) => Math.abs(v - p.stats[k]!)))}`);
    }
  }

  const data = join(dir, 'synthetic');
  const n = 200;
  const t0 = performance.now();
  writeDataset(data, syntheticSpec(0, { train: n, val: 1 }));
  const genMs = performance.now() - t0;
  const ds = loadDatasetFolder(data);
  const loader = new DataLoader(ds, 'train', { batchSize: 8, size: [128, 128], seed: 0, shuffle: true, flip: true });
  const t1 = performance.now();
  for (const _ of loader.epoch(0));
  const coldMs = performance.now() - t1;
  const t2 = performance.now();
  for (const _ of loader.epoch(1));
  const warmMs = performance.now() - t2;
  console.log(`\ndata pipeline (no peer), synthetic 128×128:`);
  console.log(`  generate + write PNG      ${(genMs / n).toFixed(2)} ms/image`);
  console.log(`  loader, decode (cold)     ${(coldMs / loader.length).toFixed(2)} ms per batch of 8`);
  console.log(`  loader, cached (warm)     ${(warmMs / loader.length).toFixed(2)} ms per batch of 8`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
