/** Writes a generated dataset as a COCO folder: train.json, val.json, images/<split>/NNNNNN.png. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CocoAnnotation, CocoCategory, CocoImage, CocoJson } from './coco-format.js';
import { encodePng, type RgbImage } from './image-io.js';
import type { CompressedRle } from './mask.js';
import { hashSeed, makeRng, type Rng } from '../util/rng.js';

export type Split = 'train' | 'val';

/** One generated object: its box [x, y, w, h], its area in pixels and, where known, its mask (whose pixel count is `area`). */
export interface GeneratedObject {
  category_id: number;
  bbox: [number, number, number, number];
  area: number;
  segmentation?: CompressedRle;
}

export interface GeneratedImage {
  image: RgbImage;
  objects: GeneratedObject[];
}

export interface GeneratorSpec {
  categories: CocoCategory[];
  counts: Record<Split, number>;
  seed: number;
  /** Draws one image from its own random stream, so images can be made in any order. */
  render(rng: Rng, split: Split, index: number): GeneratedImage;
}

const SPLIT_SALT: Record<Split, number> = { train: 1, val: 2 };

/**
 * Generates every image of every split into `dir` and returns the two COCO
 * files' contents (also written as `dir/train.json` and `dir/val.json`).
 *
 * @example
 * writeDataset('tiny', syntheticSpec(0, { train: 10, val: 2 })); // tiny/train.json, tiny/images/train/000001.png, …
 */
export function writeDataset(dir: string, spec: GeneratorSpec, onProgress?: (done: number, total: number) => void): Record<Split, CocoJson> {
  const total = spec.counts.train + spec.counts.val;
  let done = 0;
  const out = {} as Record<Split, CocoJson>;
  for (const split of ['train', 'val'] as const) {
    mkdirSync(join(dir, 'images', split), { recursive: true });
    const images: CocoImage[] = [];
    const annotations: CocoAnnotation[] = [];
    for (let i = 0; i < spec.counts[split]; i++) {
      const rng = makeRng(hashSeed(spec.seed, SPLIT_SALT[split], i));
      const { image, objects } = spec.render(rng, split, i);
      const id = i + 1;
      const fileName = `${split}/${String(id).padStart(6, '0')}.png`;
      writeFileSync(join(dir, 'images', fileName), encodePng(image));
      images.push({ id, file_name: fileName, width: image.width, height: image.height });
      for (const o of objects) {
        const ann: CocoAnnotation = { id: annotations.length + 1, image_id: id, category_id: o.category_id, bbox: o.bbox, area: o.area, iscrowd: 0 };
        if (o.segmentation) ann.segmentation = o.segmentation;
        annotations.push(ann);
      }
      onProgress?.(++done, total);
    }
    out[split] = { images, annotations, categories: spec.categories };
    writeFileSync(join(dir, `${split}.json`), JSON.stringify(out[split]));
  }
  return out;
}
