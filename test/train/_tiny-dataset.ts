import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticSpec } from '../../src/data/synthetic.js';
import { writeDataset } from '../../src/data/write-dataset.js';

/** A COCO folder of a few 64×64 synthetic images (4 train, 2 val), made once per call. */
export function tinyDataset(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'autoloss-train-')), 'data');
  writeDataset(dir, syntheticSpec(5, { train: 4, val: 2 }, 64));
  return dir;
}
