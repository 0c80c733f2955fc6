import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_PROXY, proxyHash, proxyKey, slotFor, trainProxy } from '../../src/search/proxy.js';

const cache = mkdtempSync(join(tmpdir(), 'autoloss-proxy-'));
// Small enough for a unit test, long enough for GIoU to find some boxes.
const tiny = { ...DEFAULT_PROXY, images: 64, valImages: 16, steps: 40, batch: 4 };

describe('proxy', () => {
  it('should score a good regression loss above one that rewards lower IoU, identically when repeated', async () => {
    const good = await trainProxy(tiny, 'reg', 'Add(Sub(1,Div(I,U)),Div(Sub(E,U),E))', cache);
    const bad = await trainProxy(tiny, 'reg', 'Div(I,U)', cache);
    assert.ok(good.fitness > 0, `GIoU scored ${good.fitness}`);
    assert.ok(good.fitness > bad.fitness, `GIoU ${good.fitness} vs Div(I,U) ${bad.fitness}`);
    // Common random numbers: the same loss and settings give the same AP.
    const again = await trainProxy(tiny, 'reg', 'Add(Sub(1,Div(I,U)),Div(Sub(E,U),E))', cache);
    assert.equal(again.fitness, good.fitness);
  });

  it('should key results by loss and settings, and put each domain in its slot', () => {
    assert.equal(proxyKey('abc', tiny), proxyKey('abc', { ...tiny }));
    assert.notEqual(proxyHash(tiny), proxyHash({ ...tiny, steps: 26 }));
    assert.notEqual(proxyHash(tiny), proxyHash({ ...tiny, recipe: 'mmdet' }));
    assert.equal(slotFor('reg', 'fcos'), 'reg');
    assert.equal(slotFor('binary', 'atss'), 'cls');
    assert.equal(slotFor('multi', 'faster-rcnn'), 'cls');
    assert.throws(() => slotFor('multi', 'fcos'), /faster-rcnn/);
  });
});
