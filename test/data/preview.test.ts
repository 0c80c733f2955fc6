import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadDatasetFolder } from '../../src/data/dataset.js';
import { PREVIEW_COLORS, renderPreview } from '../../src/data/preview.js';
import { syntheticSpec } from '../../src/data/synthetic.js';
import { writeDataset } from '../../src/data/write-dataset.js';

describe('renderPreview', () => {
  it('should lay images out in a grid and draw each box in its class colour', () => {
    const dir = mkdtempSync(join(tmpdir(), 'autoloss-preview-'));
    try {
      writeDataset(dir, syntheticSpec(6, { train: 1, val: 3 }));
      const ds = loadDatasetFolder(dir);
      const img = renderPreview(dir, ds.val, { columns: 2, cell: 128 });
      assert.deepEqual([img.width, img.height], [2 * 128 + 3 * 4, 2 * 128 + 3 * 4]);
      // The first image sits at (4, 4) at its own scale; its first box's top-left corner has the class colour.
      const a = ds.val.annotations.find((x) => x.image_id === ds.val.images[0]!.id)!;
      const k = ds.categories.findIndex((c) => c.id === a.category_id);
      const p = 3 * ((4 + a.bbox[1]) * img.width + 4 + a.bbox[0]);
      assert.deepEqual(Array.from(img.data.subarray(p, p + 3)), PREVIEW_COLORS[k]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
