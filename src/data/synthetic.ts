/**
 * The built-in synthetic detection set: flat-coloured shapes of five classes
 * and three COCO size ranges on textured backgrounds. Class is carried by
 * shape alone (colours are random), and boxes and areas come from the drawn
 * pixels, so the task is a small but honest detection problem.
 */
import type { CocoCategory } from './coco-format.js';
import { hsvToRgb, overlapFraction, texturedBackground, toRgbImage } from './canvas.js';
import { InstanceMask } from './instance-mask.js';
import { randInt, uniform, type Rng } from '../util/rng.js';
import type { GeneratedImage, GeneratedObject, GeneratorSpec } from './write-dataset.js';

/** Inside test in the shape's own frame: u, v in [-1, 1] span its box. */
type Inside = (u: number, v: number) => boolean;

/** The classes, one row each: name and the region it covers. */
/**
 * The classes, one row each: name, the region it covers, and whether that
 * region is convex (then a pixel whose four corners are inside is wholly
 * inside, which spares the supersampling of interior pixels).
 */
export const SHAPES: readonly { name: string; inside: Inside; convex: boolean }[] = [
  { name: 'circle', inside: (u, v) => u * u + v * v <= 1, convex: true },
  { name: 'square', inside: (u, v) => Math.abs(u) <= 1 && Math.abs(v) <= 1, convex: true },
  { name: 'triangle', inside: (u, v) => v >= -1 && v <= 1 && Math.abs(u) <= (v + 1) / 2, convex: true },
  { name: 'cross', inside: (u, v) => (Math.abs(u) <= 0.32 && Math.abs(v) <= 1) || (Math.abs(v) <= 0.32 && Math.abs(u) <= 1), convex: false },
  { name: 'ring', inside: (u, v) => u * u + v * v <= 1 && u * u + v * v >= 0.36, convex: false },
];

const SYNTHETIC_CATEGORIES: CocoCategory[] = SHAPES.map((s, k) => ({ id: k + 1, name: s.name, supercategory: 'shape' }));

/** Side lengths (pixels, on a 128 canvas) of the three COCO size ranges. */
const SIDES = { small: [16, 30], medium: [36, 84], large: [104, 122] } as const;

const SUPERSAMPLE = 4;

function pickSide(rng: Rng, count: number, canvas: number): number {
  const r = rng();
  // A large object only fits alone; crowded images get small and medium ones.
  const kind = count === 1 ? (r < 0.2 ? 'small' : r < 0.65 ? 'medium' : 'large') : r < 0.35 ? 'small' : 'medium';
  const [lo, hi] = SIDES[kind];
  return Math.round((uniform(rng, lo, hi) * canvas) / 128);
}

export type Rect = [number, number, number, number];


/**
 * Draws one synthetic image of `size`×`size` pixels with 1–4 objects.
 *
 * @example
 * const { image, objects } = renderSynthetic(makeRng(hashSeed(0, 1, 5)), 128);
 */
export function renderSynthetic(rng: Rng, size = 128): GeneratedImage {
  const canvas = texturedBackground(rng, size, size);
  const count = randInt(rng, 1, 4);
  const placed: Rect[] = [];
  const objects: GeneratedObject[] = [];
  for (let n = 0; n < count; n++) {
    const cls = randInt(rng, 0, SHAPES.length - 1);
    const side = pickSide(rng, count, size);
    const aspect = uniform(rng, 0.75, 1.33);
    const w = Math.min(size - 2, Math.round(side * Math.sqrt(aspect)));
    const h = Math.min(size - 2, Math.round(side / Math.sqrt(aspect)));
    let rect: Rect | undefined;
    for (let attempt = 0; attempt < 30 && !rect; attempt++) {
      const r: Rect = [randInt(rng, 1, size - 1 - w), randInt(rng, 1, size - 1 - h), w, h];
      if (placed.every((p) => overlapFraction(p, r) < 0.15)) rect = r;
    }
    if (!rect) continue;
    placed.push(rect);
    const color = hsvToRgb(rng(), uniform(rng, 0.65, 1), uniform(rng, 0.8, 1));
    const obj = drawShape(canvas.rgb, size, size, SHAPES[cls]!, rect, color, rng);
    if (obj) objects.push({ category_id: cls + 1, ...obj });
  }
  return { image: toRgbImage(canvas), objects };
}

/**
 * Paints the shape with antialiased edges; returns its mask (the pixels at
 * least half covered, as a compressed RLE), that mask's box and its area.
 */
export function drawShape(rgb: Float32Array, width: number, height: number, shape: (typeof SHAPES)[number], rect: Rect, color: [number, number, number], rng: Rng): Omit<GeneratedObject, 'category_id'> | undefined {
  const [x0, y0, w, h] = rect;
  const shade = uniform(rng, -0.12, 0.12);
  const mask = new InstanceMask(height, width);
  const { inside } = shape;
  // Shape coordinates of subsample s of pixel x (or y). The convex shortcut tests the
  // outermost subsamples with these same numbers, so it counts exactly what the full loop would.
  const U = (x: number, s: number) => ((x + (s + 0.5) / SUPERSAMPLE - x0) / w) * 2 - 1;
  const V = (y: number, s: number) => ((y + (s + 0.5) / SUPERSAMPLE - y0) / h) * 2 - 1;
  const last = SUPERSAMPLE - 1;
  for (let y = Math.max(0, y0 - 1); y < Math.min(height, y0 + h + 1); y++) {
    for (let x = Math.max(0, x0 - 1); x < Math.min(width, x0 + w + 1); x++) {
      let hits = 0;
      if (shape.convex && inside(U(x, 0), V(y, 0)) && inside(U(x, last), V(y, 0)) && inside(U(x, 0), V(y, last)) && inside(U(x, last), V(y, last))) {
        hits = SUPERSAMPLE * SUPERSAMPLE;
      } else {
        for (let sy = 0; sy < SUPERSAMPLE; sy++) for (let sx = 0; sx < SUPERSAMPLE; sx++) if (inside(U(x, sx), V(y, sy))) hits++;
      }
      if (hits === 0) continue;
      const cover = hits / (SUPERSAMPLE * SUPERSAMPLE);
      // A gentle vertical shading gradient makes the objects look less flat.
      const light = 1 + shade * (((y - y0) / h) * 2 - 1);
      const p = 3 * (y * width + x);
      for (let c = 0; c < 3; c++) rgb[p + c] = rgb[p + c]! * (1 - cover) + Math.min(1, color[c]! * light) * cover;
      if (cover >= 0.5) {
        mask.add(x, y);
      }
    }
  }
  return mask.annotation();
}

/** The synthetic set as a generator: ~1,000 train and 200 val images of 128×128 by default. */
export function syntheticSpec(seed: number, counts = { train: 1000, val: 200 }, size = 128): GeneratorSpec {
  return { categories: SYNTHETIC_CATEGORIES, counts, seed, render: (rng) => renderSynthetic(rng, size) };
}
