/**
 * Batches of a detection dataset for training and evaluation: images resized
 * to one size and scaled to [0, 1], boxes moved with them, optional
 * horizontal flips, and a shuffle drawn from (seed, epoch). Every batch is a
 * pure function of (seed, epoch, index), so training can resume mid-epoch.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CocoAnnotation, CocoImage, CocoJson } from './coco-format.js';
import { DataError } from './data-error.js';
import type { OpenedDataset } from './dataset.js';
import { decodeImage, type RgbImage } from './image-io.js';
import { decodeMask, polygonsProblem, segmentationToRle } from './mask.js';
import { resizeBilinear } from './resize.js';
import { hashSeed, makeRng, permutation } from '../util/rng.js';

export interface LoaderOptions {
  batchSize: number;
  /** [H, W] of every image in a batch. */
  size: [number, number];
  seed: number;
  shuffle: boolean;
  /** Flip each image horizontally with probability 1/2 (drawn from seed, epoch and image). */
  flip: boolean;
  /**
   * Keep decoded, resized images in memory (H·W·3 bytes each). Default: on
   * when the whole split fits in 1 GiB, which covers the built-in datasets.
   */
  cache?: boolean;
  /**
   * Give each target its objects' instance masks (`Target.masks`); every
   * annotation used must then have a `segmentation`.
   */
  masks?: boolean;
}

export interface Target {
  /** k×4: x1, y1, x2, y2 in resized pixels. */
  boxes: Float32Array;
  /** k: 0-based index into the dataset's categories. */
  labels: Int32Array;
  /**
   * With the `masks` option: k×H×W binary instance masks (1 = object) at the
   * batch's size, row-major, flipped with the image. Resized by nearest
   * neighbour at pixel centres.
   */
  masks?: Uint8Array;
}

export interface Batch {
  /** B×H×W×3, RGB scaled to [0, 1]. */
  images: Float32Array;
  shape: [number, number, number, number];
  targets: Target[];
  imageIds: number[];
  /** Per image [sy, sx] = resized / original, to map boxes back to the original image. */
  scales: [number, number][];
}

/**
 * @example
 * const loader = new DataLoader(ds, 'train', { batchSize: 8, size: [128, 128], seed: 0, shuffle: true, flip: true });
 * for (const batch of loader.epoch(0)) train(batch);
 */
export class DataLoader {
  readonly length: number;
  private readonly images: CocoImage[];
  private readonly annotations = new Map<number, CocoAnnotation[]>();
  private readonly labelOf = new Map<number, number>();
  private readonly cache = new Map<number, RgbImage>();
  private readonly caching: boolean;

  constructor(
    private readonly ds: OpenedDataset,
    readonly split: 'train' | 'val',
    private readonly opts: LoaderOptions,
  ) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize <= 0) throw new DataError(`batch size must be a positive integer, got ${opts.batchSize}`);
    if (!opts.size.every((s) => Number.isInteger(s) && s > 0)) throw new DataError(`image size must be two positive integers [H, W], got [${opts.size.join(', ')}]`);
    const coco: CocoJson = ds[split];
    this.images = coco.images;
    ds.categories.forEach((c, k) => this.labelOf.set(c.id, k));
    coco.annotations.forEach((a, n) => {
      // Crowd regions are not objects to regress to; evaluation handles them separately.
      if (a.iscrowd || a.ignore || a.bbox[2] <= 0 || a.bbox[3] <= 0) return;
      if (opts.masks) {
        if (!a.segmentation) throw new DataError(`${split}.json: annotations[${n}] (id ${a.id}): missing field "segmentation" (instance masks were asked for)`);
        const problem = Array.isArray(a.segmentation) ? polygonsProblem(a.segmentation) : undefined;
        if (problem) throw new DataError(`${split}.json: annotations[${n}] (id ${a.id}): field "segmentation": ${problem}`);
      }
      const list = this.annotations.get(a.image_id) ?? [];
      list.push(a);
      this.annotations.set(a.image_id, list);
    });
    this.length = Math.ceil(this.images.length / opts.batchSize);
    this.caching = opts.cache ?? this.images.length * opts.size[0] * opts.size[1] * 3 <= 2 ** 30;
  }

  /** The dataset images of an epoch in visiting order (indices into the split's images). */
  order(epoch: number): number[] {
    const n = this.images.length;
    return this.opts.shuffle ? permutation(makeRng(hashSeed(this.opts.seed, epoch, 0x5eed)), n) : Array.from({ length: n }, (_, i) => i);
  }

  /** Batch `index` (0 ≤ index < length) of `epoch`; the last batch of an epoch may be smaller. */
  batch(epoch: number, index: number): Batch {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) throw new RangeError(`batch index ${index} out of range 0..${this.length - 1}`);
    const picks = this.order(epoch).slice(index * this.opts.batchSize, (index + 1) * this.opts.batchSize);
    const [H, W] = this.opts.size;
    const B = picks.length;
    const images = new Float32Array(B * H * W * 3);
    const targets: Target[] = [];
    const imageIds: number[] = [];
    const scales: [number, number][] = [];
    picks.forEach((k, b) => {
      const info = this.images[k]!;
      const img = this.pixels(info);
      const flipped = this.opts.flip && makeRng(hashSeed(this.opts.seed, epoch, info.id, 0xf11b))() < 0.5;
      const base = b * H * W * 3;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const src = 3 * (y * W + (flipped ? W - 1 - x : x));
          const dst = base + 3 * (y * W + x);
          images[dst] = img.data[src]! / 255;
          images[dst + 1] = img.data[src + 1]! / 255;
          images[dst + 2] = img.data[src + 2]! / 255;
        }
      }
      const sy = H / info.height;
      const sx = W / info.width;
      const anns = this.annotations.get(info.id) ?? [];
      const boxes = new Float32Array(anns.length * 4);
      const labels = new Int32Array(anns.length);
      anns.forEach((a, j) => {
        const [x, y, w, h] = a.bbox;
        const x1 = x * sx;
        const x2 = (x + w) * sx;
        boxes[4 * j] = flipped ? W - x2 : x1;
        boxes[4 * j + 1] = y * sy;
        boxes[4 * j + 2] = flipped ? W - x1 : x2;
        boxes[4 * j + 3] = (y + h) * sy;
        labels[j] = this.labelOf.get(a.category_id)!;
      });
      const target: Target = { boxes, labels };
      if (this.opts.masks) target.masks = instanceMasks(anns, info, H, W, flipped);
      targets.push(target);
      imageIds.push(info.id);
      scales.push([sy, sx]);
    });
    return { images, shape: [B, H, W, 3], targets, imageIds, scales };
  }

  /** Every batch of an epoch, in order. */
  *epoch(epoch: number): Generator<Batch> {
    for (let i = 0; i < this.length; i++) yield this.batch(epoch, i);
  }

  /** The image resized to the loader's size, decoded once when caching. */
  private pixels(info: CocoImage): RgbImage {
    const hit = this.cache.get(info.id);
    if (hit) return hit;
    const path = join(this.ds.dir, 'images', info.file_name ?? '');
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new DataError(`${this.split}.json: image ${info.id}: cannot read ${path}: ${(e as Error).message}`);
    }
    const decoded = decodeImage(bytes, path);
    if (decoded.width !== info.width || decoded.height !== info.height) {
      throw new DataError(`${this.split}.json: image ${info.id}: ${path} is ${decoded.width}x${decoded.height} but the annotation file says ${info.width}x${info.height}`);
    }
    const [H, W] = this.opts.size;
    const resized = resizeBilinear(decoded, H, W);
    if (this.caching) this.cache.set(info.id, resized);
    return resized;
  }
}

/** The annotations' masks resized to H×W (nearest pixel centre), optionally mirrored. */
function instanceMasks(anns: readonly CocoAnnotation[], info: CocoImage, H: number, W: number, flipped: boolean): Uint8Array {
  const { width: w, height: h } = info;
  const out = new Uint8Array(anns.length * H * W);
  const srcX = Int32Array.from({ length: W }, (_, x) => Math.min(w - 1, Math.floor(((flipped ? W - 1 - x : x) + 0.5) * (w / W))));
  const srcY = Int32Array.from({ length: H }, (_, y) => Math.min(h - 1, Math.floor((y + 0.5) * (h / H))));
  anns.forEach((a, j) => {
    const m = decodeMask(segmentationToRle(a.segmentation!, h, w));
    const base = j * H * W;
    for (let y = 0; y < H; y++) {
      const row = srcY[y]! * w;
      for (let x = 0; x < W; x++) out[base + y * W + x] = m[row + srcX[x]!]!;
    }
  });
  return out;
}
