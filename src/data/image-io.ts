/** PNG and JPEG files to and from 8-bit RGB pixels (row-major, H×W×3). */
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { DataError } from './data-error.js';

export interface RgbImage {
  width: number;
  height: number;
  /** H×W×3 bytes, row-major, RGB. */
  data: Uint8Array;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const JPEG_MAGIC = [0xff, 0xd8];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/**
 * Decodes a PNG or JPEG (recognised by content, not by name) to RGB; alpha is
 * dropped, grey is expanded. `where` names the file in error messages.
 *
 * @example
 * const img = decodeImage(readFileSync('images/0001.png'), 'images/0001.png');
 */
export function decodeImage(bytes: Uint8Array, where: string): RgbImage {
  let rgba: Uint8Array;
  let width: number;
  let height: number;
  try {
    if (startsWith(bytes, PNG_MAGIC)) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      ({ width, height } = png);
      rgba = png.data;
    } else if (startsWith(bytes, JPEG_MAGIC)) {
      const j = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      ({ width, height } = j);
      rgba = j.data;
    } else {
      throw new DataError(`${where}: not a PNG or JPEG file`);
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`${where}: cannot decode image: ${(e as Error).message ?? String(e)}`);
  }
  const data = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; p < width * height; p++, q += 4) {
    data[3 * p] = rgba[q]!;
    data[3 * p + 1] = rgba[q + 1]!;
    data[3 * p + 2] = rgba[q + 2]!;
  }
  return { width, height, data };
}

/** Encodes RGB pixels as a PNG file's bytes. */
export function encodePng(img: RgbImage): Buffer {
  const png = new PNG({ width: img.width, height: img.height, colorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  // One fixed filter and zlib's default level: several times faster than pngjs's
  // adaptive filter at level 9, for files a few percent larger.
  return PNG.sync.write(png, { colorType: 2, inputHasAlpha: false, inputColorType: 2, filterType: 4, deflateLevel: 6 });
}

/** Encodes RGB pixels as a JPEG file's bytes (quality 0–100). */
export function encodeJpeg(img: RgbImage, quality = 90): Buffer {
  const rgba = new Uint8Array(img.width * img.height * 4);
  for (let p = 0; p < img.width * img.height; p++) {
    rgba[4 * p] = img.data[3 * p]!;
    rgba[4 * p + 1] = img.data[3 * p + 1]!;
    rgba[4 * p + 2] = img.data[3 * p + 2]!;
    rgba[4 * p + 3] = 255;
  }
  return jpeg.encode({ width: img.width, height: img.height, data: rgba }, quality).data;
}
