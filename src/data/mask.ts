/**
 * COCO instance masks as run-length codes, computed as pycocotools' maskApi
 * computes them.
 *
 * A mask of an h×w image is read in column-major order (down each column,
 * then the next column, as pycocotools stores masks); `counts` alternates
 * runs of 0s and 1s, starting with 0s (a leading 0 when the first pixel is
 * set). The compressed form packs the counts into a string of 6-bit
 * characters (ASCII 48–111), each count after the second written as the
 * difference from the one two places back. Binary masks handed to and
 * returned from this module are row-major h×w bytes (the image layout).
 */
import { DataError } from './data-error.js';

/** An uncompressed RLE, exactly COCO's JSON form `{"size": [h, w], "counts": [...]}`. */
export interface Rle {
  size: [number, number];
  counts: number[];
}

/** COCO's compressed RLE: `{"size": [h, w], "counts": "string"}`. */
export interface CompressedRle {
  size: [number, number];
  counts: string;
}

/** A COCO `segmentation` field: polygons (flat [x1, y1, x2, y2, …] lists) or an RLE, compressed or not. */
export type CocoSegmentation = number[][] | Rle | CompressedRle;

/**
 * Run-length code of a row-major h×w binary mask (any non-zero byte is set).
 *
 * @example
 * encodeMask(Uint8Array.from([0, 1, 1, 1]), 2, 2).counts; // [1, 3]: column 0 is 0,1; column 1 is 1,1
 */
export function encodeMask(mask: ArrayLike<number>, h: number, w: number): Rle {
  if (mask.length !== h * w) throw new RangeError(`mask has ${mask.length} pixels, expected ${h}×${w}`);
  const counts: number[] = [];
  let prev = 0;
  let run = 0;
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      const v = mask[y * w + x] ? 1 : 0;
      if (v !== prev) {
        counts.push(run);
        run = 0;
        prev = v;
      }
      run++;
    }
  }
  counts.push(run);
  return { size: [h, w], counts };
}

/**
 * The row-major h×w binary mask of an RLE (1 for set pixels).
 *
 * @example
 * decodeMask({ size: [2, 2], counts: [1, 3] }); // Uint8Array [0, 1, 1, 1]
 */
export function decodeMask(rle: Rle): Uint8Array {
  const [h, w] = rle.size;
  const out = new Uint8Array(h * w);
  let p = 0;
  let v = 0;
  for (const c of rle.counts) {
    if (v) {
      for (let k = p; k < p + c; k++) {
        const y = k % h;
        out[y * w + (k - y) / h] = 1;
      }
    }
    p += c;
    v ^= 1;
  }
  return out;
}

/**
 * pycocotools' rleToString: the compressed `counts` string of an RLE.
 *
 * @example
 * rleToString({ size: [2, 2], counts: [1, 3] }); // "13"
 */
export function rleToString(rle: Rle): string {
  const cnts = rle.counts;
  let s = '';
  for (let i = 0; i < cnts.length; i++) {
    // Differences can be negative; JS numbers hold them exactly (the C code uses a long).
    let x = cnts[i]! - (i > 2 ? cnts[i - 2]! : 0);
    let more = true;
    while (more) {
      let c = x & 0x1f;
      x = Math.floor(x / 32);
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

/**
 * pycocotools' rleFrString: the counts of a compressed string. Throws a
 * DataError (without a location; callers add theirs) on characters outside
 * '0'–'o', a truncated last count, or a negative count.
 *
 * @example
 * rleFromString('13', 2, 2).counts; // [1, 3]
 */
export function rleFromString(s: string, h: number, w: number): Rle {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) throw new DataError(`RLE string ends inside a count (at character ${p})`);
      const code = s.charCodeAt(p);
      if (code < 48 || code > 111) throw new DataError(`RLE string has character ${JSON.stringify(s[p])} at ${p}; compressed counts use '0'..'o'`);
      const c = code - 48;
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x -= 2 ** (5 * k);
    }
    const m = counts.length;
    if (m > 2) x += counts[m - 2]!;
    if (x < 0) throw new DataError(`RLE string decodes to a negative count (count ${m}: ${x})`);
    counts.push(x);
  }
  return { size: [h, w], counts };
}

/** The compressed form of an RLE. */
export function compressRle(rle: Rle): CompressedRle {
  return { size: [rle.size[0], rle.size[1]], counts: rleToString(rle) };
}

/** The uncompressed form of a compressed RLE (DataError on a malformed string). */
export function decompressRle(rle: CompressedRle): Rle {
  return rleFromString(rle.counts, rle.size[0], rle.size[1]);
}

/**
 * Number of set pixels (pycocotools' area).
 *
 * @example
 * rleArea({ size: [2, 2], counts: [1, 3] }); // 3
 */
export function rleArea(rle: Rle): number {
  let a = 0;
  for (let j = 1; j < rle.counts.length; j += 2) a += rle.counts[j]!;
  return a;
}

/**
 * pycocotools' toBbox: [x, y, w, h] of the set pixels, [0, 0, 0, 0] when
 * none. A run of 1s that wraps into the next column widens the box to the
 * whole image height, as rleToBbox does.
 *
 * @example
 * rleToBbox({ size: [2, 2], counts: [1, 3] }); // [0, 0, 2, 2]
 */
export function rleToBbox(rle: Rle): [number, number, number, number] {
  const [h, w] = rle.size;
  const cnts = rle.counts;
  const m = Math.floor(cnts.length / 2) * 2;
  if (m === 0) return [0, 0, 0, 0];
  let xs = w;
  let ys = h;
  let xe = 0;
  let ye = 0;
  let cc = 0;
  let xp = 0;
  for (let j = 0; j < m; j++) {
    cc += cnts[j]!;
    // The C code works in unsigned 32-bit arithmetic; an empty leading pair wraps around there.
    const t = (cc - (j % 2)) >>> 0;
    const y = t % h;
    const x = (t - y) / h;
    if (j % 2 === 0) xp = x;
    else if (xp < x) {
      ys = 0;
      ye = h - 1;
    }
    xs = Math.min(xs, x);
    xe = Math.max(xe, x);
    ys = Math.min(ys, y);
    ye = Math.max(ye, y);
  }
  return [xs, ys, xe - xs + 1, ye - ys + 1];
}

/**
 * pycocotools' merge: union (or intersection) of RLEs of one size. An empty
 * list gives a 0×0 RLE and differing sizes give one, as rleMerge does.
 *
 * @example
 * mergeRles([encodeMask([1, 0], 2, 1), encodeMask([0, 1], 2, 1)]).counts; // [0, 2]
 */
export function mergeRles(rles: readonly Rle[], intersect = false): Rle {
  if (rles.length === 0) return { size: [0, 0], counts: [] };
  const [h, w] = rles[0]!.size;
  if (rles.length === 1) return { size: [h, w], counts: rles[0]!.counts.slice() };
  let acc = rles[0]!.counts.slice();
  for (let i = 1; i < rles.length; i++) {
    const B = rles[i]!;
    if (B.size[0] !== h || B.size[1] !== w) return { size: [0, 0], counts: [] };
    const A = acc;
    const out: number[] = [];
    let ca = A[0] ?? 0;
    let cb = B.counts[0] ?? 0;
    let v = 0;
    let va = 0;
    let vb = 0;
    let a = 1;
    let b = 1;
    let cc = 0;
    let ct = 1;
    while (ct > 0) {
      const c = Math.min(ca, cb);
      cc += c;
      ct = 0;
      ca -= c;
      if (!ca && a < A.length) {
        ca = A[a++]!;
        va ^= 1;
      }
      ct += ca;
      cb -= c;
      if (!cb && b < B.counts.length) {
        cb = B.counts[b++]!;
        vb ^= 1;
      }
      ct += cb;
      const vp = v;
      v = intersect ? va & vb : va | vb;
      if (v !== vp || ct === 0) {
        out.push(cc);
        cc = 0;
      }
    }
    acc = out;
  }
  return { size: [h, w], counts: acc };
}

/** Truncation toward zero, as C's (int) cast of a double. */
const toInt = Math.trunc;

/**
 * pycocotools' rleFrPoly: rasterises one polygon [x1, y1, x2, y2, …] (pixel
 * coordinates, pixel centres at integer + 0.5 … as COCO draws them) into an
 * h×w RLE. The boundary is traced on a 5× finer grid; a pixel is set when its
 * centre lies between the boundary's crossings of its column.
 *
 * @example
 * rleArea(polygonToRle([0, 0, 0, 2, 2, 2, 2, 0], 4, 4)); // 4: the 2×2 square at the origin
 */
export function polygonToRle(xy: readonly number[], h: number, w: number): Rle {
  const scale = 5;
  const k = Math.floor(xy.length / 2);
  if (k === 0) throw new RangeError('a polygon needs at least one point');
  const x: number[] = [];
  const y: number[] = [];
  for (let j = 0; j < k; j++) x.push(toInt(scale * xy[2 * j]! + 0.5));
  x.push(x[0]!);
  for (let j = 0; j < k; j++) y.push(toInt(scale * xy[2 * j + 1]! + 0.5));
  y.push(y[0]!);
  // Dense integer points along every edge of the upsampled polygon.
  const u: number[] = [];
  const v: number[] = [];
  for (let j = 0; j < k; j++) {
    let xs = x[j]!;
    let xe = x[j + 1]!;
    let ys = y[j]!;
    let ye = y[j + 1]!;
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      [xs, xe] = [xe, xs];
      [ys, ye] = [ye, ys];
    }
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u.push(t + xs);
        v.push(toInt(ys + s * t + 0.5));
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v.push(t + ys);
        u.push(toInt(xs + s * t + 0.5));
      }
    }
  }
  // Where the boundary crosses a pixel column's centre line: the first pixel below it in that column.
  const starts: number[] = [];
  for (let j = 1; j < u.length; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j]! < u[j - 1]! ? u[j]! : u[j]! - 1;
    xd = (xd + 0.5) / scale - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) continue;
    let yd = v[j]! < v[j - 1]! ? v[j]! : v[j - 1]!;
    yd = (yd + 0.5) / scale - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > h) yd = h;
    yd = Math.ceil(yd);
    starts.push(xd * h + yd);
  }
  // Sorted crossing positions (column-major) alternate 0-runs and 1-runs; empty runs are folded away.
  starts.push(h * w);
  starts.sort((p, q) => p - q);
  const a: number[] = [];
  let prev = 0;
  for (const t of starts) {
    a.push(t - prev);
    prev = t;
  }
  const b: number[] = [a[0]!];
  for (let j = 1; j < a.length; ) {
    if (a[j]! > 0) b.push(a[j++]!);
    else {
      j++;
      if (j < a.length) b[b.length - 1] += a[j++]!;
    }
  }
  return { size: [h, w], counts: b };
}

/**
 * pycocotools' frBbox: the RLE of an [x, y, w, h] box, rasterised as the
 * polygon of its four corners.
 */
export function bboxToRle(bbox: readonly number[], h: number, w: number): Rle {
  const [xs, ys, bw, bh] = bbox as [number, number, number, number];
  const xe = xs + bw;
  const ye = ys + bh;
  return polygonToRle([xs, ys, xs, ye, xe, ye, xe, ys], h, w);
}

/**
 * Why a list of polygons cannot be rasterised, or undefined when it can. An
 * empty list, an empty polygon, or a first polygon of fewer than 3 points
 * (pycocotools fails on these; a first polygon of 4 numbers it tries to read
 * as boxes), and an odd number of coordinates (pycocotools would silently
 * drop the last one). Later polygons of 1 or 2 points are rasterised as
 * pycocotools does (they add no pixels).
 */
export function polygonsProblem(polys: readonly (readonly number[])[]): string | undefined {
  if (polys.length === 0) return 'an empty list of polygons';
  for (const [k, p] of polys.entries()) {
    if (p.length === 0) return `polygon ${k} is empty`;
    if (p.length % 2 !== 0) return `polygon ${k} has an odd number of coordinates (${p.length})`;
  }
  if (polys[0]!.length < 6) return `polygon 0 has ${polys[0]!.length / 2} points; a polygon needs at least 3`;
  return undefined;
}

/**
 * pycocotools' COCO.annToRLE: the RLE of a segmentation on an h×w image.
 * Polygons are rasterised one by one and merged (union); an uncompressed RLE
 * keeps its counts; a compressed one is decoded. Throws a DataError for
 * polygons that cannot be rasterised (polygonsProblem).
 *
 * @example
 * segmentationToRle([[0, 0, 0, 2, 2, 2, 2, 0]], 4, 4).counts; // [0, 2, 2, 2, 10]
 */
export function segmentationToRle(seg: CocoSegmentation, h: number, w: number): Rle {
  if (Array.isArray(seg)) {
    const problem = polygonsProblem(seg);
    if (problem) throw new DataError(problem);
    return mergeRles(seg.map((p) => polygonToRle(p, h, w)));
  }
  if (typeof seg.counts === 'string') return rleFromString(seg.counts, seg.size[0], seg.size[1]);
  return { size: [seg.size[0], seg.size[1]], counts: seg.counts.slice() };
}
