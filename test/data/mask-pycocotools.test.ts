import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { polygonToRle, rleArea, rleToBbox, rleToString, type Rle } from '../../src/data/mask.js';
import { maskIou } from '../../src/metrics/mask-iou.js';

interface Case {
  h: number;
  w: number;
  crowd: number;
  polygon: number[];
  counts: string;
  area: number;
  bbox: number[];
  iou_with_previous?: number;
}

// What pycocotools' maskApi.c (at the cocoapi commit named in the file) gave for random polygons.
const file = JSON.parse(readFileSync(new URL('./pycocotools-polygon-cases.json', import.meta.url), 'utf8')) as { cocoapi_commit: string; cases: Case[] };

describe("polygonToRle against pycocotools' maskApi.c", () => {
  it(`should rasterise all ${file.cases.length} random polygons to the same RLE string, area and box`, () => {
    assert.match(file.cocoapi_commit, /^[0-9a-f]{40}$/);
    assert.ok(file.cases.length >= 400);
    for (const [n, c] of file.cases.entries()) {
      const rle = polygonToRle(c.polygon, c.h, c.w);
      assert.equal(rleToString(rle), c.counts, `case ${n}: ${c.h}x${c.w} ${JSON.stringify(c.polygon)}`);
      assert.equal(rleArea(rle), c.area, `case ${n}`);
      assert.deepEqual(rleToBbox(rle), c.bbox, `case ${n}`);
    }
  });

  it('should give the same mask IoU (crowd or not) for each pair', () => {
    let prev: Rle | undefined;
    let checked = 0;
    for (const c of file.cases) {
      const rle = polygonToRle(c.polygon, c.h, c.w);
      if (c.iou_with_previous !== undefined) {
        assert.equal(maskIou([rle], [prev!], [c.crowd === 1])[0], c.iou_with_previous);
        checked++;
      }
      prev = rle;
    }
    assert.ok(checked >= 200);
  });
});
