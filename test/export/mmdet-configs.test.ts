import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { detectorsFor, MMDET_DETECTORS, mmdetConfig } from '../../src/export/mmdet-configs.js';
import { MMDET_DETECTOR_NAMES } from '../../src/export/targets.js';
import type { Domain } from '../../src/symbolic/domains.js';

const PYTHON = '/usr/bin/python3';

/** Executes a config file as mmengine does (plain Python) and returns its variables. */
function loadConfig(dir: string, text: string): { _base_: string; custom_imports: { imports: string[] }; model: Record<string, any> } {
  const file = join(dir, 'config.py');
  writeFileSync(file, text);
  const r = spawnSync(PYTHON, ['-c', 'import json,runpy,sys; v=runpy.run_path(sys.argv[1]); print(json.dumps({k: v[k] for k in ("_base_","custom_imports","model")}))', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('mmdetConfig', () => {
  let dir = '';
  before(() => (dir = mkdtempSync(join(tmpdir(), 'autoloss-mmcfg-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('should offer one-stage detectors for binary losses, R-CNNs for multi, all four for reg', () => {
    assert.deepEqual(detectorsFor('binary'), ['fcos', 'atss']);
    assert.deepEqual(detectorsFor('multi'), ['faster-rcnn', 'cascade-rcnn']);
    assert.deepEqual(detectorsFor('reg'), [...MMDET_DETECTOR_NAMES]);
  });

  for (const domain of ['binary', 'multi', 'reg'] as Domain[])
    it(`should write configs that import the module and put a ${domain} loss in its slot`, () => {
      for (const d of detectorsFor(domain)) {
        const cfg = loadConfig(dir, mmdetConfig('MyLoss', 'my_loss', domain, d));
        assert.equal(cfg._base_, MMDET_DETECTORS[d].base);
        assert.deepEqual(cfg.custom_imports.imports, ['my_loss']);
        const heads = d === 'cascade-rcnn' ? cfg.model['roi_head'].bbox_head : [d === 'faster-rcnn' ? cfg.model['roi_head'].bbox_head : cfg.model['bbox_head']];
        assert.equal(heads.length, d === 'cascade-rcnn' ? 3 : 1, d);
        for (const h of heads) {
          const loss = h[domain === 'reg' ? 'loss_bbox' : 'loss_cls'];
          assert.equal(loss.type, 'MyLoss', `${d}: ${JSON.stringify(h)}`);
          if (domain === 'binary') assert.equal(loss.use_sigmoid, true, `${d}: one-stage heads size their output from use_sigmoid`);
          // Merged into the base's loss dict, the replaced loss's keys (gamma, use_sigmoid) must go; a replaced list is taken as written.
          assert.equal(loss._delete_, d === 'cascade-rcnn' ? undefined : true, d);
          if (domain === 'reg') assert.equal(loss.loss_weight, MMDET_DETECTORS[d].bboxWeight);
          // R-CNN heads regress deltas unless told to decode boxes, which an IoU-type loss needs.
          if (domain === 'reg' && d.endsWith('rcnn')) assert.equal(h.reg_decoded_bbox, true, d);
        }
      }
    });
});
