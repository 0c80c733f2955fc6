/**
 * The proxy task of the search: one short detector training per candidate,
 * whose COCO AP on the proxy's validation split is the candidate's fitness.
 *
 * Every candidate trains with the same settings and the same seed, so it
 * starts from the same initial weights and sees the same data order and flip
 * draws (common random numbers): a difference in fitness comes from the loss
 * alone. The searched loss takes its slot (cls for binary and multi, reg for
 * reg); the detector's default loss fills the other. The recipe is a
 * setting of the proxy, the same for every candidate and baseline, never
 * inferred from a loss's name.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Domain } from '../symbolic/domains.js';
import { DETECTOR_TABLE } from '../detect/detector-table.js';
import { DETECTORS, RECIPES, type DetectorKind, type RecipeName } from '../detect/types.js';
import type { BackendRequest } from '../train/backend-names.js';
import { UserError } from '../util/errors.js';

/** Everything a proxy training depends on besides the loss. */
export interface ProxySettings {
  readonly detector: DetectorKind;
  /** `synthetic`, `fashion-mnist` or a COCO folder. */
  readonly data: string;
  /** Training images (the first N of the training split). */
  readonly images: number;
  /** Validation images the AP is measured on (the first N of the validation split). */
  readonly valImages: number;
  readonly imageSize: number;
  readonly steps: number;
  readonly batch: number;
  readonly lr: number;
  readonly warmup: number;
  /** Seeds the initial weights, data order and flips; one for every candidate. */
  readonly seed: number;
  readonly backend: BackendRequest;
  /**
   * One-stage recipe: `cse-autoloss` (the paper's setting for searched losses:
   * IoU as the centerness target, ATSS reg weight 1) or `mmdet` (the defaults).
   */
  readonly recipe: ProxyRecipe;
}

export const PROXY_RECIPES = RECIPES;
export type ProxyRecipe = RecipeName;

/**
 * Small enough for roughly 10–40 s of one core per training, large enough
 * that a poor loss scores clearly below GIoU (see docs/search.md).
 */
export const DEFAULT_PROXY: ProxySettings = {
  detector: 'fcos',
  data: 'synthetic',
  images: 256,
  valImages: 64,
  imageSize: 64,
  steps: 120,
  batch: 6,
  lr: 4e-3,
  warmup: 20,
  seed: 0,
  backend: 'wasm',
  recipe: 'cse-autoloss',
};

/** The detectors a search can use as its proxy (the detector table's `proxy` facet). */
export const PROXY_DETECTORS: readonly DetectorKind[] = DETECTORS.filter((d) => DETECTOR_TABLE[d].proxy);

export type Slot = 'cls' | 'reg';

/** Which slot a loss of `domain` takes in `detector`; a mismatch is a user error. */
export function slotFor(domain: Domain, detector: DetectorKind): Slot {
  if (domain === 'reg') return 'reg';
  if (!PROXY_DETECTORS.includes(detector)) throw new UserError(`--proxy ${detector}: not a proxy detector (expected ${PROXY_DETECTORS.join(', ')})`);
  const want = DETECTOR_TABLE[detector].clsDomain;
  const fits = PROXY_DETECTORS.filter((d) => DETECTOR_TABLE[d].clsDomain === domain);
  if (want !== domain) throw new UserError(`--proxy ${detector} trains ${want} classification losses; a ${domain} search needs --proxy ${fits.join(' or ')}`);
  return 'cls';
}

function sha(text: string, n = 16): string {
  return createHash('sha256').update(text).digest('hex').slice(0, n);
}

/** A short hash of the settings: results with one hash are interchangeable, across runs too. */
export function proxyHash(s: ProxySettings): string {
  const ordered = Object.fromEntries(Object.keys(s).sort().map((k) => [k, (s as unknown as Record<string, unknown>)[k]]));
  // A folder is identified by its absolute path.
  if (!(s.data === 'synthetic' || s.data === 'fashion-mnist')) ordered.data = resolve(s.data);
  return sha(JSON.stringify(ordered), 12);
}

/** The job key of a proxy training: the loss's canonical hash and the settings' hash. */
export function proxyKey(lossHash: string, s: ProxySettings): string {
  return `proxy:${lossHash}:${proxyHash(s)}`;
}

function writeAtomicDir(dir: string, fill: (tmp: string) => void): void {
  const done = (): boolean => existsSync(join(dir, 'train.json')) && existsSync(join(dir, 'val.json'));
  if (done()) return;
  mkdirSync(resolve(dir, '..'), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    mkdirSync(tmp, { recursive: true });
    fill(tmp);
    renameSync(tmp, dir);
  } catch (e) {
    // Another worker may have made the same folder first; its content is identical.
    if (!done()) throw e;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The proxy's dataset folder: a built-in generated with the proxy's image
 * counts and canvas size, or the first images of a COCO folder.
 */
async function proxyDataset(s: ProxySettings, cacheDir: string): Promise<string> {
  const { BUILTIN_DATASETS, writeDatasetAtomic, loadDatasetFolder } = await import('../data/dataset.js');
  const builtin = BUILTIN_DATASETS[s.data];
  if (builtin) {
    const dir = join(cacheDir, `proxy-${s.data}-v${builtin.version}-${s.images}-${s.valImages}-${s.imageSize}`);
    if (!existsSync(join(dir, 'val.json'))) {
      try {
        writeDatasetAtomic(dir, builtin.spec(0, { counts: { train: s.images, val: s.valImages }, size: s.imageSize }));
      } catch (e) {
        if (!existsSync(join(dir, 'val.json'))) throw e;
      }
    }
    return dir;
  }
  const full = loadDatasetFolder(s.data);
  if (full.train.images.length <= s.images && full.val.images.length <= s.valImages) return s.data;
  const dir = join(cacheDir, `proxy-${basename(resolve(s.data))}-${sha(resolve(s.data), 8)}-${s.images}-${s.valImages}`);
  const subset = (coco: typeof full.train, n: number): typeof full.train => {
    const images = coco.images.slice(0, n);
    const ids = new Set(images.map((im) => im.id));
    return { ...coco, images, annotations: coco.annotations.filter((a) => ids.has(a.image_id)) };
  };
  writeAtomicDir(dir, (tmp) => {
    writeFileSync(join(tmp, 'train.json'), JSON.stringify(subset(full.train, s.images)));
    writeFileSync(join(tmp, 'val.json'), JSON.stringify(subset(full.val, s.valImages)));
    symlinkSync(resolve(s.data, 'images'), join(tmp, 'images'));
  });
  return dir;
}

export interface ProxyResult {
  /** COCO AP on the proxy's validation split; 0 when the training diverged. */
  readonly fitness: number;
  /** The 12 COCO numbers (empty when diverged). */
  readonly stats: readonly number[];
  /** Why the run produced no detector, when it did not. */
  readonly failure?: string;
}

/**
 * One proxy training of `loss` (an expression or built-in name) in its slot.
 *
 * @example
 * const r = await trainProxy(DEFAULT_PROXY, 'reg', 'Sub(1,Div(I,U))', '.autoloss-cache');
 * r.fitness; // COCO AP
 */
export async function trainProxy(s: ProxySettings, slot: Slot, loss: string, cacheDir: string, otherLoss?: string): Promise<ProxyResult> {
  const { train, DEFAULT_TRAIN, DEFAULT_LOSSES, DivergenceError } = await import('../train/trainer.js');
  const { LossSpecError } = await import('../train/losses.js');
  const data = await proxyDataset(s, cacheDir);
  const other = otherLoss ?? DEFAULT_LOSSES[s.detector][slot === 'cls' ? 'reg' : 'cls'];
  const out = mkdtempSync(join(tmpdir(), 'autoloss-proxy-'));
  try {
    const r = await train(
      {
        ...DEFAULT_TRAIN,
        detector: s.detector,
        clsLoss: slot === 'cls' ? loss : other,
        regLoss: slot === 'reg' ? loss : other,
        data,
        steps: s.steps,
        batch: s.batch,
        lr: s.lr,
        warmup: s.warmup,
        seed: s.seed,
        imageSize: s.imageSize,
        evalEvery: 0,
        backend: s.backend,
        cacheDir,
        recipe: s.recipe,
      },
      { out, quiet: true },
    );
    return { fitness: Math.max(0, r.stats[0]!), stats: r.stats };
  } catch (e) {
    // A loss that drives the detector to NaN is a bad loss, not a broken search.
    if (e instanceof DivergenceError) return { fitness: 0, stats: [], failure: e.message.split(';')[0]! };
    if (e instanceof LossSpecError) return { fitness: 0, stats: [], failure: e.message };
    throw e;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
