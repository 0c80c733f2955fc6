import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cli } from '../helpers/cli.js';
import { fixture } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'autoloss-coco-eval-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const { cases } = JSON.parse(readFileSync(fixture('coco-eval-cases.json'), 'utf8')) as { cases: { name: string; gt: any; dets: any[]; stats: number[] }[] };

function files(name: string, gt: unknown, dets: unknown): [string, string] {
  const g = join(dir, `${name}-gt.json`);
  const d = join(dir, `${name}-dets.json`);
  writeFileSync(g, JSON.stringify(gt));
  writeFileSync(d, JSON.stringify(dets));
  return [g, d];
}

function expectUserError(args: string[], pattern: RegExp): void {
  const r = cli(args);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '', 'nothing on stdout');
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

describe('autoloss coco-eval', () => {
  for (const c of [cases[0]!, cases[9]!, cases[14]!]) {
    it(`should print pycocotools' 12 numbers as JSON for ${c.name}`, () => {
      const [g, d] = files(c.name, c.gt, c.dets);
      const r = cli(['coco-eval', '--gt', g, '--dets', d, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { stats: number[] };
      assert.deepEqual(Object.keys(out), ['stats']);
      assert.equal(out.stats.length, 12);
      out.stats.forEach((v, k) => assert.ok(Math.abs(v - c.stats[k]!) <= 1e-9, `stat ${k}: ${v} vs ${c.stats[k]}`));
    });
  }

  it('should print one pycocotools-style line per number without --json', () => {
    const c = cases[1]!;
    const [g, d] = files('plain', c.gt, c.dets);
    const r = cli(['coco-eval', '--gt', g, '--dets', d]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.replace(/\n$/, '').split('\n');
    assert.equal(lines.length, 12);
    assert.match(lines[0]!, /^ Average Precision {2}\(AP\) @\[ IoU=0\.50:0\.95 \| area= {3}all \| maxDets=100 \] = /);
    lines.forEach((l, k) => assert.equal(Number(l.split(' = ')[1]), c.stats[k]));
  });

  it('should name the annotation and field of a malformed ground truth file', () => {
    const gt = structuredClone(cases[0]!.gt);
    delete gt.annotations[2].bbox;
    const [g, d] = files('nobox', gt, cases[0]!.dets);
    expectUserError(['coco-eval', '--gt', g, '--dets', d], /nobox-gt\.json: annotations\[2\] \(id 3\): missing field "bbox"/);
    const gt2 = structuredClone(cases[0]!.gt);
    gt2.annotations[1].category_id = 42;
    const [g2] = files('badcat', gt2, []);
    expectUserError(['coco-eval', '--gt', g2, '--dets', d], /badcat-gt\.json: annotations\[1\] \(id 2\): field "category_id": category 42 is not in categories/);
    const gt3 = structuredClone(cases[0]!.gt);
    gt3.annotations[0].bbox = [600, 20, 50, 100];
    const [g3] = files('outside', gt3, []);
    expectUserError(['coco-eval', '--gt', g3, '--dets', d], /annotations\[0\] \(id 1\): field "bbox" \[600, 20, 50, 100\] lies outside image 1 \(640x480\)/);
  });

  it('should name the detection and field of a malformed results file', () => {
    const dets = structuredClone(cases[0]!.dets);
    dets[3].score = 'high';
    const [g, d] = files('badscore', cases[0]!.gt, dets);
    expectUserError(['coco-eval', '--gt', g, '--dets', d], /badscore-dets\.json: detection \[3\]: field "score" must be a finite number, got "high"/);
    const dets2 = structuredClone(cases[0]!.dets);
    dets2[1].image_id = 77;
    const [, d2] = files('badimage', cases[0]!.gt, dets2);
    expectUserError(['coco-eval', '--gt', g, '--dets', d2], /detection \[1\]: field "image_id": image 77 is not in the ground truth images/);
  });

  it('should reject missing and non-JSON files', () => {
    const [g] = files('ok', cases[0]!.gt, []);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"images": [');
    expectUserError(['coco-eval', '--gt', g, '--dets', join(dir, 'missing.json')], /missing\.json does not exist/);
    expectUserError(['coco-eval', '--gt', bad, '--dets', g], /bad\.json is not valid JSON/);
  });
});

const segm = JSON.parse(readFileSync(fixture('coco-segm-eval-cases.json'), 'utf8')) as { cases: { name: string; gt: any; dets: any[]; stats: number[] }[] };

describe('autoloss coco-eval --iou-type segm', () => {
  it("should print pycocotools' 12 segm numbers exactly as JSON", () => {
    const c = segm.cases[5]!;
    const [g, d] = files(c.name, c.gt, c.dets);
    const r = cli(['coco-eval', '--iou-type', 'segm', '--gt', g, '--dets', d, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { stats: c.stats });
    // The same files scored by box differ: the masks are not their boxes.
    const box = JSON.parse(cli(['coco-eval', '--iou-type', 'bbox', '--gt', g, '--dets', d, '--json']).stdout) as { stats: number[] };
    assert.notDeepEqual(box.stats, c.stats);
  });

  it('should refuse an unknown --iou-type', () => {
    const c = segm.cases[0]!;
    const [g, d] = files('type', c.gt, c.dets);
    expectUserError(['coco-eval', '--iou-type', 'keypoints', '--gt', g, '--dets', d], /--iou-type 'keypoints': expected bbox or segm/);
  });

  it('should name the annotation or detection of a missing or malformed mask', () => {
    const c = segm.cases[1]!;
    const gt = structuredClone(c.gt);
    delete gt.annotations[2].segmentation;
    const [g, d] = files('noseg', gt, c.dets);
    expectUserError(['coco-eval', '--iou-type', 'segm', '--gt', g, '--dets', d], /noseg-gt\.json: annotations\[2\] \(id 3\): missing field "segmentation"/);
    const gt2 = structuredClone(c.gt);
    gt2.annotations[0].segmentation = [[1, 2, 3, 4, 5]];
    const [g2] = files('oddpoly', gt2, []);
    expectUserError(['coco-eval', '--iou-type', 'segm', '--gt', g2, '--dets', d], /oddpoly-gt\.json: annotations\[0\] \(id 1\): field "segmentation": polygon 0 has an odd number of coordinates \(5\)/);
    // A 2-point "polygon" does not stop box evaluation, only mask evaluation.
    const gtShort = structuredClone(c.gt);
    gtShort.annotations[1].segmentation = [[26, 31, 50, 31]];
    const [gs] = files('shortpoly', gtShort, []);
    assert.equal(cli(['coco-eval', '--gt', gs, '--dets', d, '--json']).code, 0);
    expectUserError(['coco-eval', '--iou-type', 'segm', '--gt', gs, '--dets', d], /shortpoly-gt\.json: annotations\[1\] \(id 2\): field "segmentation": polygon 0 has 2 points; a polygon needs at least 3/);
    const crowd = c.gt.annotations.findIndex((a: any) => a.iscrowd === 1);
    const gt3 = structuredClone(c.gt);
    gt3.annotations[crowd].segmentation.counts.push(1);
    const [g3] = files('longrle', gt3, []);
    expectUserError(['coco-eval', '--iou-type', 'segm', '--gt', g3, '--dets', d], new RegExp(`annotations\\[${crowd}\\] \\(id ${gt3.annotations[crowd].id}\\): field "segmentation": "counts" cover \\d+ pixels, but size`));
    const [gOk] = files('okseg', c.gt, []);
    const dets = structuredClone(c.dets);
    dets[4].segmentation.counts = `${dets[4].segmentation.counts} `;
    const [, d4] = files('badchar', c.gt, dets);
    expectUserError(['coco-eval', '--iou-type', 'segm', '--gt', gOk, '--dets', d4], /badchar-dets\.json: detection \[4\]: field "segmentation": "counts": RLE string has character " "/);
    const dets2 = structuredClone(c.dets);
    dets2[2].segmentation.size = [10, 10];
    const [, d5] = files('badsize', c.gt, dets2);
    expectUserError(['coco-eval', '--iou-type', 'segm', '--gt', gOk, '--dets', d5], /detection \[2\]: field "segmentation": RLE size \[10, 10\] is not the image's \[height, width\]/);
    const dets3 = structuredClone(c.dets);
    delete dets3[3].segmentation;
    const [, d6] = files('nomask', c.gt, dets3);
    expectUserError(['coco-eval', '--iou-type', 'segm', '--gt', gOk, '--dets', d6], /detection \[3\]: missing field "segmentation"/);
  });
});
