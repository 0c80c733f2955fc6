/** Bilinear resizing of RGB bytes with half-pixel centres (tf.image.resizeBilinear's halfPixelCenters). */
import type { RgbImage } from './image-io.js';

/**
 * Resizes to `height`×`width`. Same size returns the input unchanged.
 *
 * @example
 * const small = resizeBilinear(img, 64, 64);
 */
export function resizeBilinear(img: RgbImage, height: number, width: number): RgbImage {
  if (img.width === width && img.height === height) return img;
  const out = new Uint8Array(width * height * 3);
  const sy = img.height / height;
  const sx = img.width / width;
  const xs0 = new Int32Array(width);
  const xs1 = new Int32Array(width);
  const fxs = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), img.width - 1);
    xs0[x] = Math.floor(fx);
    xs1[x] = Math.min(xs0[x]! + 1, img.width - 1);
    fxs[x] = fx - xs0[x]!;
  }
  const src = img.data;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), img.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, img.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const a = 3 * (y0 * img.width + xs0[x]!);
      const b = 3 * (y0 * img.width + xs1[x]!);
      const c = 3 * (y1 * img.width + xs0[x]!);
      const d = 3 * (y1 * img.width + xs1[x]!);
      const wx = fxs[x]!;
      const o = 3 * (y * width + x);
      for (let ch = 0; ch < 3; ch++) {
        const top = src[a + ch]! + (src[b + ch]! - src[a + ch]!) * wx;
        const bottom = src[c + ch]! + (src[d + ch]! - src[c + ch]!) * wx;
        out[o + ch] = Math.round(top + (bottom - top) * wy);
      }
    }
  }
  return { width, height, data: out };
}
