import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticSpec } from '../../src/data/synthetic.js';
import { writeDataset } from '../../src/data/write-dataset.js';

/**
 * A tiny synthetic set whose validation split is its training split (16
 * images of 64×64): a detector that learns at all fits it within a short
 * schedule, so AP on it measures learning, not generalisation.
 */
export function learnSet(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'autoloss-learn-')), 'data');
  writeDataset(dir, syntheticSpec(3, { train: 16, val: 1 }, 64));
  copyFileSync(join(dir, 'train.json'), join(dir, 'val.json'));
  return dir;
}
