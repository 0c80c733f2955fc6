/**
 * A detection set composed from Fashion-MNIST (Debian `dataset-fashion-mnist`):
 * one to four articles per canvas at random scales and places on a dark
 * textured background; each box is the extent of the article's visible
 * pixels. Train images use the 60k training articles, val images the 10k
 * test articles, so no article appears in both splits.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { CocoCategory } from './coco-format.js';
import { DataError } from './data-error.js';
import { hsvToRgb, overlapFraction, texturedBackground, toRgbImage } from './canvas.js';
import { InstanceMask } from './instance-mask.js';
import { randInt, uniform, type Rng } from '../util/rng.js';
import type { GeneratedImage, GeneratedObject, GeneratorSpec, Split } from './write-dataset.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

const FASHION_CATEGORIES: CocoCategory[] = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'].map((name, k) => ({
  id: k + 1,
  name,
  supercategory: 'fashion',
}));

export interface IdxArticles {
  count: number;
  rows: number;
  cols: number;
  /** count×rows×cols bytes. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

function readIdx(path: string, magic: number): { dims: number[]; data: Uint8Array } {
  if (!existsSync(path)) {
    throw new DataError(`${path} not found: the fashion-mnist dataset needs the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist), or pass its folder`);
  }
  let bytes: Uint8Array;
  try {
    bytes = gunzipSync(readFileSync(path));
  } catch (e) {
    throw new DataError(`${path}: cannot decompress: ${(e as Error).message}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8 || view.getUint32(0) !== magic) throw new DataError(`${path}: not an IDX file of the expected kind`);
  const ndim = magic & 0xff;
  const dims = Array.from({ length: ndim }, (_, k) => view.getUint32(4 + 4 * k));
  const offset = 4 + 4 * ndim;
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.byteLength < offset + size) throw new DataError(`${path}: truncated (expected ${size} values)`);
  return { dims, data: bytes.subarray(offset, offset + size) };
}

/**
 * Reads one Fashion-MNIST part (`train` or `t10k`) from `dir`.
 *
 * @example
 * loadFashionMnist('t10k').count; // 10000
 */
export function loadFashionMnist(part: 'train' | 't10k', dir = FASHION_MNIST_DIR): IdxArticles {
  const images = readIdx(join(dir, `${part}-images-idx3-ubyte.gz`), 0x00000803);
  const labels = readIdx(join(dir, `${part}-labels-idx1-ubyte.gz`), 0x00000801);
  const [count, rows, cols] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) throw new DataError(`${dir}: ${part} has ${count} images but ${labels.dims[0]} labels`);
  return { count, rows, cols, pixels: images.data, labels: labels.data };
}

/** Bilinear sample of article `k` at fractional pixel (x, y), 0 outside. */
function sample(a: IdxArticles, k: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx >= a.cols || yy >= a.rows ? 0 : a.pixels[k * a.rows * a.cols + yy * a.cols + xx]!);
  return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
}

/** Pixels fainter than this (of 255) count as background when boxing an article. */
export const VISIBLE = 24;

type Rect = [number, number, number, number];

/**
 * Blends article `k`, scaled by `scale` into the square `at` of a
 * `size`×`size` RGB canvas, tinted `tint` with the article's intensity as
 * alpha. Returns its mask (the pixels of intensity ≥ VISIBLE, as a compressed
 * RLE), that mask's box and its area; undefined when no pixel is visible.
 */
export function drawArticle(rgb: Float32Array, size: number, articles: IdxArticles, k: number, at: readonly [number, number, number, number], scale: number, tint: readonly [number, number, number]): Omit<GeneratedObject, 'category_id'> | undefined {
  const side = at[2];
  const mask = new InstanceMask(size, size);
  for (let y = at[1]; y < at[1] + side; y++) {
    for (let x = at[0]; x < at[0] + side; x++) {
      const v = sample(articles, k, (x - at[0] + 0.5) / scale - 0.5, (y - at[1] + 0.5) / scale - 0.5);
      if (v <= 0) continue;
      const alpha = v / 255;
      const p = 3 * (y * size + x);
      for (let c = 0; c < 3; c++) rgb[p + c] = rgb[p + c]! * (1 - alpha) + tint[c]! * alpha;
      if (v >= VISIBLE) {
        mask.add(x, y);
      }
    }
  }
  return mask.annotation();
}

/**
 * Draws one canvas of `size`×`size` with 1–4 articles taken from `articles`.
 */
export function renderFashion(rng: Rng, articles: IdxArticles, size = 128): GeneratedImage {
  const canvas = texturedBackground(rng, size, size);
  // Darken the background so the (bright) articles stand out as they do in the source images.
  for (let k = 0; k < canvas.rgb.length; k++) canvas.rgb[k] = canvas.rgb[k]! * 0.5;
  const count = randInt(rng, 1, 4);
  const placed: Rect[] = [];
  const objects: GeneratedObject[] = [];
  for (let n = 0; n < count; n++) {
    const k = randInt(rng, 0, articles.count - 1);
    const [lo, hi] = count === 1 ? [1.6, 4.5] : count === 2 ? [1.3, 3] : [1.1, 2.4];
    const scale = (uniform(rng, lo, hi) * size) / 128;
    const side = Math.round(articles.cols * scale);
    let at: Rect | undefined;
    for (let attempt = 0; attempt < 30 && !at; attempt++) {
      const r: Rect = [randInt(rng, 0, size - side), randInt(rng, 0, size - side), side, side];
      if (placed.every((p) => overlapFraction(p, r) < 0.15)) at = r;
    }
    if (!at) continue;
    placed.push(at);
    const tint = hsvToRgb(rng(), uniform(rng, 0, 0.35), 1);
    const obj = drawArticle(canvas.rgb, size, articles, k, at, scale, tint);
    if (obj) objects.push({ category_id: articles.labels[k]! + 1, ...obj });
  }
  return { image: toRgbImage(canvas), objects };
}


/** The Fashion-MNIST detection set as a generator: ~1,000 train and 200 val canvases of 128×128 by default. */
export function fashionMnistSpec(seed: number, counts = { train: 1000, val: 200 }, size = 128, dir = FASHION_MNIST_DIR): GeneratorSpec {
  const parts: Partial<Record<Split, IdxArticles>> = {};
  const articlesFor = (split: Split) => (parts[split] ??= loadFashionMnist(split === 'train' ? 'train' : 't10k', dir));
  articlesFor('train');
  articlesFor('val');
  return { categories: FASHION_CATEGORIES, counts, seed, render: (rng, split) => renderFashion(rng, articlesFor(split), size) };
}
