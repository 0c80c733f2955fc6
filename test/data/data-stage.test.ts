import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dataStage } from '../../src/data/data-stage.js';
import { syntheticSpec } from '../../src/data/synthetic.js';
import { writeDataset } from '../../src/data/write-dataset.js';

describe('dataStage', () => {
  it('should summarise the dataset and write its preview', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autoloss-stage-'));
    try {
      writeDataset(join(dir, 'shapes'), syntheticSpec(8, { train: 5, val: 4 }));
      const lines: string[] = [];
      const { dataset, preview } = await dataStage({ out: join(dir, 'out'), spec: join(dir, 'shapes'), say: (l) => lines.push(l) });
      assert.equal(dataset.val.images.length, 4);
      assert.equal(preview, join(dir, 'out', 'data', 'shapes-val.png'));
      assert.ok(existsSync(preview));
      assert.ok(lines.some((l) => /^ {2}val: 4 images, \d+ objects: \d+ small, \d+ medium, \d+ large$/.test(l)), lines.join('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
