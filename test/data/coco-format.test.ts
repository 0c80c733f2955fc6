import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskProblem, validateCoco, validateDetections } from '../../src/data/coco-format.js';
import { DataError } from '../../src/data/data-error.js';

function good(): any {
  return {
    images: [{ id: 1, file_name: 'a.png', width: 100, height: 80 }],
    annotations: [{ id: 7, image_id: 1, category_id: 3, bbox: [10, 10, 20, 30], area: 600, iscrowd: 0 }],
    categories: [{ id: 3, name: 'cat' }],
  };
}

function rejects(json: unknown, pattern: RegExp, opts = { requireFileNames: true }): void {
  assert.throws(() => validateCoco(json, 'gt.json', opts), (e: unknown) => {
    assert.ok(e instanceof DataError, 'a DataError');
    assert.match((e as Error).message, /^gt\.json: /);
    assert.match((e as Error).message, pattern);
    return true;
  });
}

describe('validateCoco', () => {
  it('should accept a well-formed file and default iscrowd to 0', () => {
    const j = good();
    delete j.annotations[0].iscrowd;
    const c = validateCoco(j, 'gt.json', { requireFileNames: true });
    assert.equal(c.annotations[0]!.iscrowd, 0);
    assert.deepEqual(c.annotations[0]!.bbox, [10, 10, 20, 30]);
  });

  it('should read boolean iscrowd as 0 or 1 and reject other values', () => {
    const j = good();
    j.annotations[0].iscrowd = true;
    assert.equal(validateCoco(j, 'gt.json').annotations[0]!.iscrowd, 1);
    j.annotations[0].iscrowd = 2;
    rejects(j, /annotations\[0\] \(id 7\): field "iscrowd" must be 0 or 1, got 2/);
  });

  it('should name the annotation and the missing field', () => {
    const j = good();
    delete j.annotations[0].bbox;
    rejects(j, /annotations\[0\] \(id 7\): missing field "bbox"/);
    const k = good();
    delete k.annotations[0].area;
    rejects(k, /annotations\[0\] \(id 7\): missing field "area"/);
  });

  it('should reject a box outside its image', () => {
    const j = good();
    j.annotations[0].bbox = [90, 10, 20, 30];
    rejects(j, /annotations\[0\] \(id 7\): field "bbox" \[90, 10, 20, 30\] lies outside image 1 \(100x80\)/);
  });

  it('should tolerate sub-pixel overhang from rounding', () => {
    const j = good();
    j.annotations[0].bbox = [80, 10, 20.4, 30];
    assert.doesNotThrow(() => validateCoco(j, 'gt.json'));
  });

  it('should reject unknown category and image ids', () => {
    const j = good();
    j.annotations[0].category_id = 9;
    rejects(j, /annotations\[0\] \(id 7\): field "category_id": category 9 is not in categories/);
    const k = good();
    k.annotations[0].image_id = 2;
    rejects(k, /annotations\[0\] \(id 7\): field "image_id": image 2 is not in images/);
  });

  it('should reject malformed boxes, duplicate ids and missing file names', () => {
    const j = good();
    j.annotations[0].bbox = [1, 2, 3];
    rejects(j, /field "bbox" must be 4 finite numbers/);
    const k = good();
    k.annotations.push({ ...k.annotations[0] });
    rejects(k, /annotations\[1\] \(id 7\): duplicate annotation id 7/);
    const m = good();
    delete m.images[0].file_name;
    rejects(m, /images\[0\] \(id 1\): missing field "file_name"/);
    assert.doesNotThrow(() => validateCoco(m, 'gt.json'));
    rejects({ images: [], annotations: {} }, /top-level field "annotations" must be an array/);
    rejects([], /must be a JSON object/);
  });
});

describe('validateDetections', () => {
  const gt = validateCoco(good(), 'gt.json');
  it('should accept detections of unknown categories (COCOeval ignores them)', () => {
    const d = validateDetections([{ image_id: 1, category_id: 99, bbox: [0, 0, 5, 5], score: 0.5 }], 'dets.json', gt);
    assert.equal(d.length, 1);
  });
  it('should reject unknown images and missing scores, naming the detection', () => {
    assert.throws(() => validateDetections([{ image_id: 4, category_id: 3, bbox: [0, 0, 5, 5], score: 0.5 }], 'dets.json', gt), /dets\.json: detection \[0\]: field "image_id": image 4 is not in the ground truth images/);
    assert.throws(() => validateDetections([{ image_id: 1, category_id: 3, bbox: [0, 0, 5, 5] }], 'dets.json', gt), /dets\.json: detection \[0\]: missing field "score"/);
    assert.throws(() => validateDetections({}, 'dets.json', gt), /dets\.json: must be a JSON array/);
  });
});

describe('segmentations', () => {
  const withSeg = (seg: unknown) => {
    const j = good();
    j.annotations[0].segmentation = seg;
    return j;
  };

  it('should read polygons and RLEs of the image size', () => {
    const poly = [[10, 10, 30, 10, 30, 40]];
    assert.deepEqual(validateCoco(withSeg(poly), 'gt.json').annotations[0]!.segmentation, poly);
    assert.deepEqual(validateCoco(withSeg({ size: [80, 100], counts: [8000] }), 'gt.json').annotations[0]!.segmentation, { size: [80, 100], counts: [8000] });
    assert.equal(maskProblem(validateCoco(withSeg(poly), 'gt.json'), 'gt.json'), undefined);
  });

  it('should refuse malformed segmentations, naming the annotation and field', () => {
    rejects(withSeg([[10, 'a', 3]]), /annotations\[0\] \(id 7\): field "segmentation": polygon 0 must be a list of finite numbers/);
    rejects(withSeg('10 10 20 20'), /field "segmentation" must be a list of polygons or an RLE object/);
    rejects(withSeg({ size: [100, 80], counts: [8000] }), /field "segmentation": RLE size \[100, 80\] is not the image's \[height, width\] \[80, 100\]/);
    rejects(withSeg({ size: [80, 100], counts: [7999] }), /field "segmentation": "counts" cover 7999 pixels, but size \[80, 100\] has 8000/);
    rejects(withSeg({ size: [80, 100], counts: [4000, -1, 4001] }), /"counts"\[1\] must be a non-negative integer, got -1/);
    rejects(withSeg({ size: [80, 100], counts: 'a~' }), /"counts": RLE string has character "~"/);
    rejects(withSeg({ size: [80, 100] }), /"counts" must be a list of run lengths or a compressed RLE string/);
  });

  it('should accept short polygons for box work but report them where masks are needed', () => {
    // Some annotation files carry 2-point or [x, y, w, h]-like "polygons"; boxes do not need them.
    for (const [seg, why] of [
      [[[26, 31, 50, 31]], /polygon 0 has 2 points; a polygon needs at least 3/],
      [[[1, 2, 3, 4, 5, 6, 7]], /polygon 0 has an odd number of coordinates \(7\)/],
      [[], /an empty list of polygons/],
      [[[1, 2, 3, 4, 5, 6], []], /polygon 1 is empty/],
    ] as const) {
      const gt = validateCoco(withSeg(seg), 'gt.json');
      assert.match(maskProblem(gt, 'gt.json')!, new RegExp(`^gt\\.json: annotations\\[0\\] \\(id 7\\): field "segmentation": ${why.source}`));
      assert.throws(() => validateDetections([{ image_id: 1, category_id: 3, segmentation: seg, score: 1 }], 'dets.json', gt), (e: unknown) => e instanceof DataError && why.test(e.message));
    }
    const bare = good();
    assert.match(maskProblem(validateCoco(bare, 'gt.json'), 'gt.json')!, /annotations\[0\] \(id 7\): missing field "segmentation"/);
  });

  it('should read results as loadRes does: boxes if the first has one, else masks', () => {
    const gt = validateCoco(good(), 'gt.json');
    const rle = { size: [80, 100], counts: [2, 3, 8000 - 5] };
    const masks = validateDetections([{ image_id: 1, category_id: 3, segmentation: rle, score: 0.5 }], 'dets.json', gt);
    assert.deepEqual(masks[0], { image_id: 1, category_id: 3, bbox: [0, 2, 1, 3], score: 0.5, segmentation: rle, area: 3 });
    const boxes = validateDetections([{ image_id: 1, category_id: 3, bbox: [0, 0, 5, 5], segmentation: rle, score: 0.5 }], 'dets.json', gt);
    assert.equal(boxes[0]!.area, undefined);
    assert.throws(() => validateDetections([{ image_id: 1, category_id: 3, bbox: [0, 0, 5, 5], score: 0.5 }, { image_id: 1, category_id: 3, segmentation: rle, score: 0.5 }], 'dets.json', gt), /detection \[1\]: missing field "bbox" \(the first detection has one/);
    assert.throws(() => validateDetections([{ image_id: 1, category_id: 3, segmentation: rle, score: 0.5 }, { image_id: 1, category_id: 3, bbox: [0, 0, 5, 5], score: 0.5 }], 'dets.json', gt), /detection \[1\]: missing field "segmentation"/);
    assert.throws(() => validateDetections([{ image_id: 1, category_id: 3, score: 0.5 }], 'dets.json', gt), /detection \[0\]: needs a "bbox" or a "segmentation"/);
    assert.throws(() => validateDetections([{ image_id: 1, category_id: 3, segmentation: [[1, 1, 5, 1, 5, 5]], score: 0.5 }], 'dets.json'), /polygons need the image size/);
  });
});
