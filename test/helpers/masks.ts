/** Checks shared by the tests of the generated datasets' masks. */
import type { RgbImage } from '../../src/data/image-io.js';
import { decodeMask, decompressRle, type CompressedRle } from '../../src/data/mask.js';

/** The decoded mask, its pixel count and the box of its pixels. */
export function maskFacts(seg: CompressedRle | undefined): { mask: Uint8Array; area: number; box: number[] } {
  if (!seg) throw new Error('object has no segmentation');
  const [h, w] = seg.size;
  const mask = decodeMask(decompressRle(seg));
  let x0 = w, y0 = h, x1 = -1, y1 = -1, area = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      area++;
      x0 = Math.min(x0, x), y0 = Math.min(y0, y), x1 = Math.max(x1, x), y1 = Math.max(y1, y);
    }
  }
  return { mask, area, box: [x0, y0, x1 - x0 + 1, y1 - y0 + 1] };
}

/** Largest change of any channel of each pixel between two images of one size. */
export function changes(a: RgbImage, b: RgbImage): Uint8Array {
  const out = new Uint8Array(a.width * a.height);
  for (let p = 0; p < out.length; p++) {
    for (let c = 0; c < 3; c++) out[p] = Math.max(out[p]!, Math.abs(a.data[3 * p + c]! - b.data[3 * p + c]!));
  }
  return out;
}
