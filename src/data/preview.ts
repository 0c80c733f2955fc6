/** A contact sheet of a dataset split: images in a grid, each object's box drawn in its class colour. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CocoJson } from './coco-format.js';
import { decodeImage, type RgbImage } from './image-io.js';
import { resizeBilinear } from './resize.js';

/** Box colours by label index (cycled past ten classes), chosen to stay distinct from each other. */
export const PREVIEW_COLORS: readonly [number, number, number][] = [
  [255, 225, 25],
  [230, 25, 75],
  [60, 180, 75],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
  [255, 255, 255],
];

export interface PreviewOptions {
  /** Images to show (the first ones of the split). */
  count?: number;
  columns?: number;
  /** Side of each cell in pixels. */
  cell?: number;
}

/**
 * Renders the first `count` images of a split with their boxes.
 *
 * @example
 * writeFileSync('preview.png', encodePng(renderPreview(ds.dir, ds.val)));
 */
export function renderPreview(dir: string, coco: CocoJson, opts: PreviewOptions = {}): RgbImage {
  const images = coco.images.slice(0, opts.count ?? 16);
  const columns = Math.max(1, Math.min(opts.columns ?? 4, images.length));
  const rows = Math.max(1, Math.ceil(images.length / columns));
  const cell = opts.cell ?? 256;
  const gap = 4;
  const width = columns * cell + (columns + 1) * gap;
  const height = rows * cell + (rows + 1) * gap;
  const data = new Uint8Array(width * height * 3).fill(24);
  const label = new Map(coco.categories.map((c, k) => [c.id, k]));
  images.forEach((im, n) => {
    const img = resizeBilinear(decodeImage(readFileSync(join(dir, 'images', im.file_name ?? '')), im.file_name ?? ''), cell, cell);
    const ox = gap + (n % columns) * (cell + gap);
    const oy = gap + Math.floor(n / columns) * (cell + gap);
    for (let y = 0; y < cell; y++) data.set(img.data.subarray(3 * y * cell, 3 * (y + 1) * cell), 3 * ((oy + y) * width + ox));
    const sx = cell / im.width;
    const sy = cell / im.height;
    const put = (x: number, y: number, c: readonly number[]) => {
      if (x < 0 || y < 0 || x >= cell || y >= cell) return;
      data.set(c, 3 * ((oy + y) * width + ox + x));
    };
    for (const a of coco.annotations) {
      if (a.image_id !== im.id) continue;
      const color = PREVIEW_COLORS[(label.get(a.category_id) ?? 0) % PREVIEW_COLORS.length]!;
      const x1 = Math.round(a.bbox[0] * sx);
      const y1 = Math.round(a.bbox[1] * sy);
      const x2 = Math.round((a.bbox[0] + a.bbox[2]) * sx) - 1;
      const y2 = Math.round((a.bbox[1] + a.bbox[3]) * sy) - 1;
      for (let x = x1; x <= x2; x++) for (const y of [y1, y2]) put(x, y, color);
      for (let y = y1; y <= y2; y++) for (const x of [x1, x2]) put(x, y, color);
    }
  });
  return { width, height, data };
}
