import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataError } from '../../src/data/data-error.js';
import { decodeImage, encodeJpeg, encodePng, type RgbImage } from '../../src/data/image-io.js';

const img: RgbImage = { width: 5, height: 3, data: Uint8Array.from({ length: 45 }, (_, i) => (i * 37) % 256) };

describe('decodeImage', () => {
  it('should round-trip PNG exactly', () => {
    assert.deepEqual(decodeImage(encodePng(img), 'x.png'), img);
  });

  it('should decode JPEG to RGB of the right size, close to the original', () => {
    const flat: RgbImage = { width: 16, height: 8, data: new Uint8Array(16 * 8 * 3).fill(120) };
    const back = decodeImage(encodeJpeg(flat, 95), 'x.jpg');
    assert.equal(back.width, 16);
    assert.equal(back.height, 8);
    assert.ok(back.data.every((v) => Math.abs(v - 120) <= 3));
  });

  it('should name the file when it is not an image or is corrupt', () => {
    assert.throws(() => decodeImage(new TextEncoder().encode('hello'), 'notes.png'), (e: unknown) => e instanceof DataError && e.message === 'notes.png: not a PNG or JPEG file');
    const broken = encodePng(img).subarray(0, 40);
    assert.throws(() => decodeImage(broken, 'cut.png'), /^DataError: cut\.png: cannot decode image/);
  });
});
