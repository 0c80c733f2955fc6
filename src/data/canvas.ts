/** A float RGB canvas with the textured backgrounds shared by the generated datasets. */
import type { RgbImage } from './image-io.js';
import { randInt, uniform, type Rng } from '../util/rng.js';

/** H×W×3 floats in [0, 1]. */
export interface Canvas {
  width: number;
  height: number;
  rgb: Float32Array;
}

export function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const i = Math.floor(h * 6) % 6;
  const f = h * 6 - Math.floor(h * 6);
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  return ([[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]] as const)[i]!.slice() as [number, number, number];
}

/** Smooth noise: a coarse random grid, bilinearly upsampled. */
function valueNoise(rng: Rng, width: number, height: number, cells: number): Float32Array {
  const g = cells + 1;
  const grid = Float32Array.from({ length: g * g }, () => rng() * 2 - 1);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const gy = (y / height) * cells;
    const y0 = Math.floor(gy);
    const fy = gy - y0;
    for (let x = 0; x < width; x++) {
      const gx = (x / width) * cells;
      const x0 = Math.floor(gx);
      const fx = gx - x0;
      const a = grid[y0 * g + x0]! * (1 - fx) + grid[y0 * g + x0 + 1]! * fx;
      const b = grid[(y0 + 1) * g + x0]! * (1 - fx) + grid[(y0 + 1) * g + x0 + 1]! * fx;
      out[y * width + x] = a * (1 - fy) + b * fy;
    }
  }
  return out;
}

/**
 * A muted, textured background: a low-saturation base colour plus one of
 * gradient, stripes, checks or smooth noise, plus fine grain. Kept darker and
 * greyer than the objects drawn on it so that they stay clearly visible.
 */
export function texturedBackground(rng: Rng, width: number, height: number): Canvas {
  const base = hsvToRgb(rng(), uniform(rng, 0, 0.25), uniform(rng, 0.2, 0.5));
  const alt = hsvToRgb(rng(), uniform(rng, 0, 0.3), uniform(rng, 0.15, 0.55));
  const kind = randInt(rng, 0, 3);
  const angle = uniform(rng, 0, Math.PI);
  const ca = Math.cos(angle);
  const sa = Math.sin(angle);
  const period = uniform(rng, 6, 24);
  const noise = valueNoise(rng, width, height, randInt(rng, 3, 8));
  const rgb = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const along = (x * ca + y * sa) / Math.max(width, height);
      let m: number;
      if (kind === 0) m = along;
      else if (kind === 1) m = 0.5 + 0.5 * Math.sin((2 * Math.PI * (x * ca + y * sa)) / period);
      else if (kind === 2) m = (Math.floor(x / period) + Math.floor(y / period)) % 2 === 0 ? 0.25 : 0.75;
      else m = 0.5 + 0.5 * noise[p]!;
      const grain = (rng() - 0.5) * 0.06;
      for (let c = 0; c < 3; c++) rgb[3 * p + c] = base[c]! * (1 - m) + alt[c]! * m + grain + 0.08 * noise[p]!;
    }
  }
  return { width, height, rgb };
}

export function toRgbImage(canvas: Canvas): RgbImage {
  const data = new Uint8Array(canvas.rgb.length);
  for (let k = 0; k < data.length; k++) data[k] = Math.max(0, Math.min(255, Math.round(canvas.rgb[k]! * 255)));
  return { width: canvas.width, height: canvas.height, data };
}

/** Intersection over the smaller of two [x, y, w, h] rectangles: how much one would hide the other. */
export function overlapFraction(a: readonly number[], b: readonly number[]): number {
  const iw = Math.max(0, Math.min(a[0]! + a[2]!, b[0]! + b[2]!) - Math.max(a[0]!, b[0]!));
  const ih = Math.max(0, Math.min(a[1]! + a[3]!, b[1]! + b[3]!) - Math.max(a[1]!, b[1]!));
  return (iw * ih) / Math.min(a[2]! * a[3]!, b[2]! * b[3]!);
}
