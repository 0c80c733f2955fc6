/**
 * COCO-format types and their validation. A file is checked field by field,
 * and the first problem is reported with the file, the entry (list index and
 * id) and the field, e.g.
 * `val.json: annotations[3] (id 17): category_id 9 is not in categories`.
 */
import { DataError } from './data-error.js';
import { polygonsProblem, rleArea, rleFromString, rleToBbox, segmentationToRle, type CocoSegmentation } from './mask.js';

export interface CocoImage {
  id: number;
  /** Relative to the dataset's `images/` folder. Optional in evaluation-only ground truth. */
  file_name?: string;
  width: number;
  height: number;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  /** [x, y, w, h] in pixels, top-left origin. */
  bbox: [number, number, number, number];
  /** Object area in pixels (segment area in real COCO); the area ranges of COCO evaluation use it. */
  area: number;
  /** 1 for a crowd region: never a training target; in evaluation it absorbs detections without counting. */
  iscrowd: number;
  /** pycocotools honours an explicit ignore flag on ground truth. */
  ignore?: number;
  /** The instance mask: polygons, or an RLE (uncompressed or compressed) of the image's size. */
  segmentation?: CocoSegmentation;
}

export interface CocoCategory {
  id: number;
  name: string;
  supercategory?: string;
}

export interface CocoJson {
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
}

/** One entry of a COCO results file. */
export interface CocoDetection {
  image_id: number;
  category_id: number;
  /** [x, y, w, h]; for results given as masks alone, the mask's box (as pycocotools' loadRes derives it). */
  bbox: [number, number, number, number];
  score: number;
  /** The instance mask (needed for segm evaluation): a compressed RLE as COCO results carry it, or polygons. */
  segmentation?: CocoSegmentation;
  /**
   * The area COCO evaluation's area ranges use. Absent: the box's w·h. loadRes
   * sets it to w·h when the first result has a box, and to the mask's area
   * when results are masks alone.
   */
  area?: number;
}

export interface ValidateOptions {
  /** Every image must name its file (datasets for training); evaluation ground truth need not. */
  requireFileNames?: boolean;
  /**
   * How far (pixels) a box may reach past the image border before it is an
   * error. Real annotation files carry rounding slop of a fraction of a pixel.
   */
  borderTolerance?: number;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(where: string, what: string): never {
  throw new DataError(`${where}: ${what}`);
}

function label(list: string, k: number, entry: Obj): string {
  return typeof entry['id'] === 'number' ? `${list}[${k}] (id ${entry['id']})` : `${list}[${k}]`;
}

function num(where: string, entry: Obj, field: string, opts: { positive?: boolean; nonNegative?: boolean; optional?: boolean } = {}): number | undefined {
  const v = entry[field];
  if (v === undefined) {
    if (opts.optional) return undefined;
    fail(where, `missing field "${field}"`);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(where, `field "${field}" must be a finite number, got ${JSON.stringify(v)}`);
  if (opts.positive && !(v > 0)) fail(where, `field "${field}" must be positive, got ${v}`);
  if (opts.nonNegative && v < 0) fail(where, `field "${field}" must not be negative, got ${v}`);
  return v;
}

function box(where: string, entry: Obj): [number, number, number, number] {
  const b = entry['bbox'];
  if (b === undefined) fail(where, 'missing field "bbox"');
  if (!Array.isArray(b) || b.length !== 4 || !b.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    fail(where, `field "bbox" must be 4 finite numbers [x, y, w, h], got ${JSON.stringify(b)}`);
  }
  const [x, y, w, h] = b as number[];
  if (w! < 0 || h! < 0) fail(where, `field "bbox" has a negative width or height: ${JSON.stringify(b)}`);
  return [x!, y!, w!, h!];
}

function list(json: Obj, where: string, field: string): Obj[] {
  const v = json[field];
  if (v === undefined) fail(where, `missing top-level field "${field}"`);
  if (!Array.isArray(v)) fail(where, `top-level field "${field}" must be an array`);
  v.forEach((e, k) => {
    if (!isObj(e)) fail(where, `${field}[${k}] must be an object`);
  });
  return v as Obj[];
}

/**
 * Checks a `segmentation` field: a list of polygons, each a list of finite
 * coordinates; or an RLE {size: [h, w], counts} whose size is the image's and
 * whose counts (a list of non-negative integers or a compressed string) cover
 * exactly h·w pixels. With `asMask` (results, which are only ever masks) the
 * polygons must also be rasterisable (see polygonsProblem); ground-truth
 * polygons are checked for that only where masks are used, so that box-only
 * work accepts the short polygons some annotation files carry.
 */
function segmentation(where: string, v: unknown, image: { width: number; height: number } | undefined, asMask: boolean): CocoSegmentation {
  const f = `field "segmentation"`;
  if (Array.isArray(v)) {
    v.forEach((p: unknown, k: number) => {
      if (!Array.isArray(p) || !p.every((x) => typeof x === 'number' && Number.isFinite(x))) fail(where, `${f}: polygon ${k} must be a list of finite numbers [x1, y1, x2, y2, ...]`);
    });
    const problem = asMask ? polygonsProblem(v as number[][]) : undefined;
    if (problem) fail(where, `${f}: ${problem}`);
    if (asMask && !image) fail(where, `${f}: polygons need the image size; give the ground truth`);
    return v as number[][];
  }
  if (!isObj(v)) fail(where, `${f} must be a list of polygons or an RLE object {size, counts}, got ${JSON.stringify(v)}`);
  const size = v['size'];
  if (!Array.isArray(size) || size.length !== 2 || !size.every((x) => Number.isInteger(x) && x >= 0)) fail(where, `${f}: "size" must be [height, width], got ${JSON.stringify(size)}`);
  const [h, w] = size as [number, number];
  if (image && (h !== image.height || w !== image.width)) fail(where, `${f}: RLE size [${h}, ${w}] is not the image's [height, width] [${image.height}, ${image.width}]`);
  const counts = v['counts'];
  let list: number[];
  if (typeof counts === 'string') {
    try {
      list = rleFromString(counts, h, w).counts;
    } catch (e) {
      fail(where, `${f}: "counts": ${(e as Error).message}`);
    }
  } else if (Array.isArray(counts)) {
    const bad = counts.findIndex((x) => !Number.isInteger(x) || (x as number) < 0);
    if (bad >= 0) fail(where, `${f}: "counts"[${bad}] must be a non-negative integer, got ${JSON.stringify(counts[bad])}`);
    list = counts as number[];
  } else fail(where, `${f}: "counts" must be a list of run lengths or a compressed RLE string, got ${JSON.stringify(counts)}`);
  const sum = list.reduce((a, b) => a + b, 0);
  if (sum !== h * w) fail(where, `${f}: "counts" cover ${sum} pixels, but size [${h}, ${w}] has ${h * w}`);
  return { size: [h, w], counts } as CocoSegmentation;
}

/**
 * Checks a COCO annotation file and returns it typed. Throws a DataError
 * naming `where` (the file), the entry and the field on the first problem:
 * missing fields, wrong types, duplicate ids, boxes outside their image,
 * unknown image or category ids.
 *
 * @example
 * const gt = validateCoco(JSON.parse(text), 'val.json', { requireFileNames: true });
 */
export function validateCoco(json: unknown, where: string, opts: ValidateOptions = {}): CocoJson {
  if (!isObj(json)) fail(where, 'must be a JSON object with "images", "annotations" and "categories"');
  const tol = opts.borderTolerance ?? 1;
  const images = list(json, where, 'images');
  const annotations = list(json, where, 'annotations');
  const categories = list(json, where, 'categories');

  const imageById = new Map<number, CocoImage>();
  const outImages: CocoImage[] = images.map((im, k) => {
    const w = `${where}: ${label('images', k, im)}`;
    const id = num(w, im, 'id')!;
    if (imageById.has(id)) fail(w, `duplicate image id ${id}`);
    const width = num(w, im, 'width', { positive: true })!;
    const height = num(w, im, 'height', { positive: true })!;
    const out: CocoImage = { id, width, height };
    const fn = im['file_name'];
    if (fn === undefined) {
      if (opts.requireFileNames) fail(w, 'missing field "file_name"');
    } else if (typeof fn !== 'string' || fn === '') fail(w, 'field "file_name" must be a non-empty string');
    else out.file_name = fn;
    imageById.set(id, out);
    return out;
  });

  const categoryIds = new Set<number>();
  const outCategories: CocoCategory[] = categories.map((c, k) => {
    const w = `${where}: ${label('categories', k, c)}`;
    const id = num(w, c, 'id')!;
    if (categoryIds.has(id)) fail(w, `duplicate category id ${id}`);
    categoryIds.add(id);
    const name = c['name'];
    if (name === undefined) fail(w, 'missing field "name"');
    if (typeof name !== 'string') fail(w, 'field "name" must be a string');
    const out: CocoCategory = { id, name };
    if (typeof c['supercategory'] === 'string') out.supercategory = c['supercategory'];
    return out;
  });

  const annIds = new Set<number>();
  const outAnnotations: CocoAnnotation[] = annotations.map((a, k) => {
    const w = `${where}: ${label('annotations', k, a)}`;
    const id = num(w, a, 'id')!;
    if (annIds.has(id)) fail(w, `duplicate annotation id ${id}`);
    annIds.add(id);
    const imageId = num(w, a, 'image_id')!;
    const image = imageById.get(imageId);
    if (!image) fail(w, `field "image_id": image ${imageId} is not in images`);
    const categoryId = num(w, a, 'category_id')!;
    if (!categoryIds.has(categoryId)) fail(w, `field "category_id": category ${categoryId} is not in categories`);
    const bbox = box(w, a);
    const [x, y, bw, bh] = bbox;
    if (x < -tol || y < -tol || x + bw > image.width + tol || y + bh > image.height + tol) {
      fail(w, `field "bbox" [${bbox.join(', ')}] lies outside image ${imageId} (${image.width}x${image.height})`);
    }
    const area = num(w, a, 'area', { nonNegative: true })!;
    const crowd = a['iscrowd'];
    // Python writers sometimes emit booleans; pycocotools reads them with int().
    const iscrowd = crowd === undefined || crowd === false ? 0 : crowd === true ? 1 : crowd;
    if (iscrowd !== 0 && iscrowd !== 1) fail(w, `field "iscrowd" must be 0 or 1, got ${JSON.stringify(crowd)}`);
    const out: CocoAnnotation = { id, image_id: imageId, category_id: categoryId, bbox, area, iscrowd };
    const ignore = num(w, a, 'ignore', { optional: true });
    if (ignore !== undefined) out.ignore = ignore;
    if (a['segmentation'] !== undefined) out.segmentation = segmentation(w, a['segmentation'], image, false);
    return out;
  });

  return { images: outImages, annotations: outAnnotations, categories: outCategories };
}

/**
 * The first annotation whose mask cannot be made, as a message naming the
 * file (`where`), the entry and the field: a missing `segmentation`, or
 * polygons pycocotools could not rasterise. Undefined when every annotation
 * has a usable mask. Used where masks are needed (segm evaluation, mask
 * targets); `validateCoco` alone accepts annotations without them.
 */
export function maskProblem(coco: CocoJson, where: string): string | undefined {
  for (const [k, a] of coco.annotations.entries()) {
    const at = `${where}: annotations[${k}] (id ${a.id})`;
    if (a.segmentation === undefined) return `${at}: missing field "segmentation"`;
    const problem = Array.isArray(a.segmentation) ? polygonsProblem(a.segmentation) : undefined;
    if (problem) return `${at}: field "segmentation": ${problem}`;
  }
  return undefined;
}

/**
 * Checks a COCO results list (detections) and reads it as pycocotools'
 * loadRes does. When the first result has a box, every result needs one, and
 * the area is the box's w·h (a mask, if given, is used by segm evaluation;
 * without one segm evaluation uses the box as a polygon). Otherwise every
 * result needs a `segmentation`; its box is the mask's and its area the
 * mask's pixel count. With `gt`, every image id must be one of its images
 * (pycocotools refuses results for unknown images) and masks must have their
 * image's size; unknown category ids are allowed, because COCOeval ignores
 * them.
 *
 * @example
 * const dets = validateDetections(JSON.parse(text), 'dets.json', gt);
 */
export function validateDetections(json: unknown, where: string, gt?: CocoJson): CocoDetection[] {
  if (!Array.isArray(json)) fail(where, 'must be a JSON array of detections {image_id, category_id, bbox, score}');
  const images = gt ? new Map(gt.images.map((im) => [im.id, im])) : undefined;
  const first = json[0];
  const boxes = isObj(first) && Array.isArray(first['bbox']) && first['bbox'].length > 0;
  return json.map((d: unknown, k: number) => {
    const w = `${where}: detection [${k}]`;
    if (!isObj(d)) fail(w, 'must be an object {image_id, category_id, bbox, score}');
    const imageId = num(w, d, 'image_id')!;
    const image = images?.get(imageId);
    if (images && !image) fail(w, `field "image_id": image ${imageId} is not in the ground truth images`);
    const categoryId = num(w, d, 'category_id')!;
    if (!boxes && d['segmentation'] === undefined) {
      fail(w, k === 0 ? 'needs a "bbox" or a "segmentation"' : 'missing field "segmentation" (the first detection has no box, so every detection is read as a mask)');
    }
    if (boxes && d['bbox'] === undefined) fail(w, 'missing field "bbox" (the first detection has one, so every detection is read as a box)');
    const seg = d['segmentation'] === undefined ? undefined : segmentation(w, d['segmentation'], image, true);
    const score = num(w, d, 'score')!;
    if (boxes || d['bbox'] !== undefined) {
      const out: CocoDetection = { image_id: imageId, category_id: categoryId, bbox: box(w, d), score };
      if (seg) out.segmentation = seg;
      if (!boxes) out.area = maskArea(seg!, image);
      return out;
    }
    const rle = segmentationToRle(seg!, image?.height ?? 0, image?.width ?? 0);
    return { image_id: imageId, category_id: categoryId, bbox: rleToBbox(rle), score, segmentation: seg, area: rleArea(rle) };
  });
}

function maskArea(seg: CocoSegmentation, image?: { width: number; height: number }): number {
  return rleArea(segmentationToRle(seg, image?.height ?? 0, image?.width ?? 0));
}
