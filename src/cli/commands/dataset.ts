import type { Command } from 'commander';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../../util/fs.js';
import { choice, nonNegativeInt, positiveInt } from '../options.js';

interface GenerateFlags {
  out: string;
  seed: number;
  train: number;
  val: number;
  size: number;
  source?: string;
}

/** A progress bar on stderr when it is a terminal; silence otherwise (cli-progress skips non-TTY streams). */
async function progressBar(label: string): Promise<{ update: (done: number, total: number) => void; stop: () => void }> {
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total} images | {eta}s left`, hideCursor: true, clearOnComplete: false, stream: process.stderr }, Presets.shades_classic);
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop: () => started && bar.stop(),
  };
}

function checkOut(out: string): void {
  if (existsSync(out) && (!statSync(out).isDirectory() || readdirSync(out).length > 0)) {
    throw new UserError(`--out ${out} already exists and is not an empty folder; remove it or choose another`);
  }
}

export function register(program: Command): void {
  const dataset = program.command('dataset').description('generate the built-in detection datasets as COCO folders, or check a COCO folder');
  for (const name of ['synthetic', 'fashion-mnist'] as const) {
    const cmd = dataset
      .command(name)
      .description(
        name === 'synthetic'
          ? 'shapes of five classes and three COCO size ranges on textured backgrounds (the default dataset)'
          : 'Fashion-MNIST articles composed into detection canvases (Debian package dataset-fashion-mnist)',
      )
      .requiredOption('--out <dir>', 'folder to create: train.json, val.json, images/')
      .option('--seed <n>', 'generator seed', nonNegativeInt, 0)
      .option('--train <n>', 'training images', positiveInt, 1000)
      .option('--val <n>', 'validation images', positiveInt, 200)
      .option('--size <px>', 'canvas side in pixels', positiveInt, 128);
    if (name === 'fashion-mnist') cmd.option('--source <dir>', 'folder of the Fashion-MNIST IDX files', '/usr/share/datasets/fashion-mnist');
    cmd.action(async (opts: GenerateFlags) => {
      if (opts.size < 32) throw new UserError(`--size must be at least 32 pixels, got ${opts.size}`);
      checkOut(opts.out);
      const { BUILTIN_DATASETS, writeDatasetAtomic, loadDatasetFolder } = await import('../../data/dataset.js');
      const spec = BUILTIN_DATASETS[name]!.spec(opts.seed, { counts: { train: opts.train, val: opts.val }, size: opts.size, source: opts.source });
      const bar = await progressBar(name);
      try {
        writeDatasetAtomic(opts.out, spec, bar.update);
      } finally {
        bar.stop();
      }
      const ds = loadDatasetFolder(opts.out);
      process.stdout.write(`${describe(ds)}\n`);
    });
  }
  dataset
    .command('preview')
    .description('draw the first images of a split with their boxes (one colour per class) into a PNG')
    .argument('<dataset>', 'synthetic, fashion-mnist or a COCO dataset folder')
    .requiredOption('--out <file>', 'PNG file to write')
    .option('--split <split>', 'train | val', choice(['train', 'val'] as const), 'val')
    .option('--count <n>', 'images to show', positiveInt, 16)
    .option('--columns <n>', 'images per row', positiveInt, 4)
    .option('--cache-dir <dir>', 'where built-in datasets are generated', '.autoloss-cache')
    .action(async (spec: string, opts: { out: string; split: 'train' | 'val'; count: number; columns: number; cacheDir: string }) => {
      const { openDataset } = await import('../../data/dataset.js');
      const { renderPreview, PREVIEW_COLORS } = await import('../../data/preview.js');
      const { encodePng } = await import('../../data/image-io.js');
      const bar = await progressBar(spec);
      let ds;
      try {
        ds = await openDataset(spec, { cacheDir: opts.cacheDir, onProgress: bar.update });
      } finally {
        bar.stop();
      }
      writeFileAtomic(opts.out, encodePng(renderPreview(ds.dir, ds[opts.split], { count: opts.count, columns: opts.columns })));
      const legend = ds.categories.map((c, k) => `${c.name}: rgb(${PREVIEW_COLORS[k % PREVIEW_COLORS.length]!.join(', ')})`);
      process.stdout.write(`wrote ${opts.out}\n${legend.join('\n')}\n`);
    });
  dataset
    .command('check')
    .description('validate a COCO dataset folder (train.json, val.json, images/) and summarise it')
    .argument('<dir>', 'dataset folder')
    .action(async (dir: string) => {
      const { loadDatasetFolder } = await import('../../data/dataset.js');
      process.stdout.write(`${describe(loadDatasetFolder(dir))}\n`);
    });
}

function describe(ds: import('../../data/dataset.js').OpenedDataset): string {
  const lines = [`${ds.dir}: ${ds.categories.length} categories (${ds.categories.map((c) => c.name).join(', ')})`];
  for (const split of ['train', 'val'] as const) {
    const anns = ds[split].annotations;
    const sizes = [0, 0, 0];
    for (const a of anns) sizes[a.area < 32 ** 2 ? 0 : a.area < 96 ** 2 ? 1 : 2]!++;
    const masks = anns.filter((a) => a.segmentation !== undefined).length;
    lines.push(`${split}: ${ds[split].images.length} images, ${anns.length} objects (small ${sizes[0]}, medium ${sizes[1]}, large ${sizes[2]}), ${masks === anns.length ? 'all' : masks} with masks`);
  }
  return lines.join('\n');
}
