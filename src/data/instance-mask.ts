import { compressRle, encodeMask } from './mask.js';
import type { GeneratedObject } from './write-dataset.js';

/**
 * The pixels a generator marks as one object's while it draws it; gives the
 * COCO annotation (box, area, compressed RLE) of exactly those pixels, so the
 * built-in sets' masks, boxes and areas agree by construction.
 */
export class InstanceMask {
  private readonly mask: Uint8Array;
  private area = 0;
  private minX = Infinity;
  private minY = Infinity;
  private maxX = -Infinity;
  private maxY = -Infinity;

  constructor(private readonly height: number, private readonly width: number) {
    this.mask = new Uint8Array(height * width);
  }

  add(x: number, y: number): void {
    this.mask[y * this.width + x] = 1;
    this.area++;
    this.minX = Math.min(this.minX, x);
    this.minY = Math.min(this.minY, y);
    this.maxX = Math.max(this.maxX, x);
    this.maxY = Math.max(this.maxY, y);
  }

  /** The annotation of the marked pixels; undefined when none was marked. */
  annotation(): Omit<GeneratedObject, 'category_id'> | undefined {
    if (this.area === 0) return undefined;
    return {
      bbox: [this.minX, this.minY, this.maxX - this.minX + 1, this.maxY - this.minY + 1],
      area: this.area,
      segmentation: compressRle(encodeMask(this.mask, this.height, this.width)),
    };
  }
}
