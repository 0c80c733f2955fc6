/**
 * Opening a detection dataset: a COCO folder (`train.json`, `val.json`,
 * `images/`), or one of the built-ins, generated deterministically into a
 * cache folder the first time they are asked for.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { validateCoco, type CocoCategory, type CocoJson } from './coco-format.js';
import { DataError } from './data-error.js';
import { fashionMnistSpec } from './fashion-mnist.js';
import { syntheticSpec } from './synthetic.js';
import { writeDataset, type GeneratorSpec } from './write-dataset.js';

export interface OpenedDataset {
  /** The folder holding train.json, val.json and images/. */
  dir: string;
  name: string;
  /** In label order: a loader's label k is `categories[k]`. */
  categories: CocoCategory[];
  train: CocoJson;
  val: CocoJson;
}

export interface OpenOptions {
  /** Where built-in datasets are generated and kept. */
  cacheDir: string;
  /** Seed of a built-in dataset's generator (default 0). */
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

/** The built-in datasets, one row each; bump the version when the generator's output changes. */
export const BUILTIN_DATASETS: Record<string, { version: number; spec: (seed: number, opts?: GenerateOptions) => GeneratorSpec }> = {
  synthetic: { version: 2, spec: (seed, o = {}) => syntheticSpec(seed, o.counts, o.size) },
  'fashion-mnist': { version: 2, spec: (seed, o = {}) => fashionMnistSpec(seed, o.counts, o.size, o.source) },
};

/** Departures from a built-in's defaults (the cached copies always use the defaults). */
export interface GenerateOptions {
  counts?: { train: number; val: number };
  /** Canvas side in pixels (default 128). */
  size?: number;
  /** Folder of the source files (fashion-mnist: the IDX files). */
  source?: string;
}

/** The folder a built-in dataset is cached in: `<cacheDir>/<name>-v<version>` (plus `-seed<n>` for a non-default seed). */
function builtinDir(name: string, cacheDir: string, seed = 0): string {
  const b = BUILTIN_DATASETS[name];
  if (!b) throw new DataError(`unknown built-in dataset "${name}" (expected ${Object.keys(BUILTIN_DATASETS).join(', ')})`);
  return join(cacheDir, `${name}-v${b.version}${seed === 0 ? '' : `-seed${seed}`}`);
}

/**
 * Generates a dataset into `dir`. The images are written to a temporary
 * sibling folder that is renamed into place at the end, so an interrupted run
 * never leaves a half-made dataset behind.
 */
export function writeDatasetAtomic(dir: string, spec: GeneratorSpec, onProgress?: (done: number, total: number) => void): void {
  const parent = resolve(dir, '..');
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.tmp-${process.pid}-${Date.now()}`);
  try {
    writeDataset(tmp, spec, onProgress);
    // rename() replaces an empty folder but fails on a full one, so nothing is ever overwritten.
    renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Generates a built-in dataset into `dir` unless it is already there. */
function ensureBuiltin(name: string, dir: string, seed: number, onProgress?: (done: number, total: number) => void): void {
  const done = () => existsSync(join(dir, 'train.json')) && existsSync(join(dir, 'val.json'));
  if (done()) return;
  try {
    writeDatasetAtomic(dir, BUILTIN_DATASETS[name]!.spec(seed), onProgress);
  } catch (e) {
    // Another process may have finished the same dataset first; theirs is identical.
    if (done()) return;
    throw e;
  }
}

function readCocoFile(path: string): CocoJson {
  if (!existsSync(path)) throw new DataError(`${path} does not exist (a dataset folder needs train.json, val.json and images/)`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DataError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  return validateCoco(json, path, { requireFileNames: true });
}

/**
 * Reads and checks a COCO dataset folder: both files valid, the same
 * categories in both, and every image file present.
 *
 * @example
 * const ds = loadDatasetFolder('my-data'); // throws a DataError naming file, entry and field
 */
export function loadDatasetFolder(dir: string, name = basename(resolve(dir))): OpenedDataset {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DataError(`dataset folder ${dir} does not exist`);
  const train = readCocoFile(join(dir, 'train.json'));
  const val = readCocoFile(join(dir, 'val.json'));
  const ids = (c: CocoJson) => c.categories.map((k) => `${k.id}:${k.name}`).join(',');
  if (ids(train) !== ids(val)) throw new DataError(`${join(dir, 'val.json')}: categories differ from train.json's (they must list the same ids and names in the same order)`);
  for (const [file, coco] of [['train.json', train], ['val.json', val]] as const) {
    coco.images.forEach((im, k) => {
      const p = join(dir, 'images', im.file_name!);
      if (!existsSync(p)) throw new DataError(`${join(dir, file)}: images[${k}] (id ${im.id}): field "file_name": ${p} does not exist`);
    });
  }
  return { dir, name, categories: train.categories, train, val };
}

/**
 * Opens `synthetic`, `fashion-mnist` or a COCO folder path.
 *
 * @example
 * const ds = await openDataset('synthetic', { cacheDir: '.autoloss-cache' });
 * ds.train.images.length; // 1000
 */
export async function openDataset(spec: string, opts: OpenOptions): Promise<OpenedDataset> {
  if (spec in BUILTIN_DATASETS) {
    const seed = opts.seed ?? 0;
    const dir = builtinDir(spec, opts.cacheDir, seed);
    ensureBuiltin(spec, dir, seed, opts.onProgress);
    return loadDatasetFolder(dir, spec);
  }
  if (!existsSync(spec) || !statSync(spec).isDirectory()) {
    throw new DataError(`dataset "${spec}" is neither a built-in (${Object.keys(BUILTIN_DATASETS).join(', ')}) nor a folder`);
  }
  return loadDatasetFolder(spec);
}
