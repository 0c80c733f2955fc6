/** The data stage of `npm start`: the default dataset, summarised, with a picture of it. */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDataset, type OpenedDataset } from './dataset.js';
import { encodePng } from './image-io.js';
import { PREVIEW_COLORS, renderPreview } from './preview.js';

export interface DataStageOptions {
  /** Output folder; the preview goes to `<out>/data/<name>-val.png`. */
  out: string;
  /** Where built-in datasets are generated (default `.autoloss-cache`). */
  cacheDir?: string;
  /** Dataset to show (default `synthetic`). */
  spec?: string;
  say?: (line: string) => void;
}

/**
 * Opens (generating on first use) the default dataset, prints its classes and
 * size mix, and writes a preview of validation images with their boxes.
 *
 * @example
 * const { dataset, preview } = await dataStage({ out: 'out' });
 */
export async function dataStage(opts: DataStageOptions): Promise<{ dataset: OpenedDataset; preview: string }> {
  const say = opts.say ?? ((s: string) => void process.stdout.write(`${s}\n`));
  const spec = opts.spec ?? 'synthetic';
  say(`== Data: the ${spec} dataset (COCO format) ==`);
  let announced = false;
  const dataset = await openDataset(spec, {
    cacheDir: opts.cacheDir ?? '.autoloss-cache',
    onProgress: (_done, total) => {
      if (!announced) say(`  generating ${total} images (first use only)…`);
      announced = true;
    },
  });
  say(`  folder: ${dataset.dir}`);
  say(`  classes: ${dataset.categories.map((c, k) => `${c.name} (rgb ${PREVIEW_COLORS[k % PREVIEW_COLORS.length]!.join(',')})`).join(', ')}`);
  for (const split of ['train', 'val'] as const) {
    const anns = dataset[split].annotations;
    const n = (lo: number, hi: number) => anns.filter((a) => a.area >= lo && a.area < hi).length;
    say(`  ${split}: ${dataset[split].images.length} images, ${anns.length} objects: ${n(0, 32 ** 2)} small, ${n(32 ** 2, 96 ** 2)} medium, ${n(96 ** 2, Infinity)} large`);
  }
  const preview = join(opts.out, 'data', `${dataset.name.replace(/[^\w.-]+/g, '_')}-val.png`);
  mkdirSync(join(opts.out, 'data'), { recursive: true });
  writeFileSync(preview, encodePng(renderPreview(dataset.dir, dataset.val, { count: 16, columns: 4, cell: 192 })));
  say(`  preview of 16 validation images with their boxes: ${preview}`);
  return { dataset, preview };
}
