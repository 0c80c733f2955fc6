/**
 * The yardsticks of a search, trained on the same proxy before it starts:
 * the detector's default loss of the searched slot with three seeds (their
 * spread is the seed-to-seed noise a gain must beat) and the published
 * searched loss of the slot. The default's first seed is the proxy's own, so
 * it is directly comparable with every candidate (same weights, data order
 * and draws).
 */
import type { Executor } from './executor/types.js';
import { makeJob } from './jobs.js';
import { proxyHash, proxyKey, slotFor, type ProxyResult, type ProxySettings } from './proxy.js';
import type { Domain } from '../symbolic/domains.js';

export interface BaselineRun {
  readonly seed: number;
  readonly fitness: number;
  readonly stats: readonly number[];
  readonly seconds: number;
  readonly worker: string;
}

export interface Baseline {
  /** `default` or `published`. */
  readonly role: 'default' | 'published';
  /** The built-in's name. */
  readonly name: string;
  /** What the trainer was given (the built-in's name). */
  readonly loss: string;
  readonly runs: readonly BaselineRun[];
  readonly mean: number;
  /** Sample standard deviation over seeds (0 for one run). */
  readonly std: number;
}

export interface Baselines {
  readonly domain: Domain;
  readonly slot: 'cls' | 'reg';
  readonly proxy: ProxySettings;
  readonly proxyHash: string;
  readonly baselines: readonly Baseline[];
  /** The default loss's seed-to-seed standard deviation. */
  readonly seedStd: number;
}

function meanStd(xs: readonly number[]): [number, number] {
  const m = xs.reduce((a, v) => a + v, 0) / xs.length;
  return [m, xs.length > 1 ? Math.sqrt(xs.reduce((a, v) => a + (v - m) ** 2, 0) / (xs.length - 1)) : 0];
}

/** A built-in runs by name (focal and ce natively, as the detectors' defaults do), so its key names it too. */
function lossSpec(name: string): { loss: string; hash: string } {
  return { loss: name, hash: `builtin-${name}` };
}

/**
 * Trains the baselines through the executor (one batch).
 *
 * @example
 * const b = await trainBaselines('reg', DEFAULT_PROXY, executor, '.autoloss-cache');
 * b.seedStd; // GIoU's seed-to-seed std of AP
 */
export async function trainBaselines(domain: Domain, proxy: ProxySettings, executor: Executor, cacheDir: string, seeds = 3): Promise<Baselines> {
  const slot = slotFor(domain, proxy.detector);
  const { DEFAULT_LOSSES, PUBLISHED_LOSSES } = await import('../train/trainer.js');
  const roles = [
    { role: 'default' as const, name: DEFAULT_LOSSES[proxy.detector][slot], seeds: Array.from({ length: seeds }, (_, k) => proxy.seed + k) },
    { role: 'published' as const, name: PUBLISHED_LOSSES[proxy.detector][slot], seeds: [proxy.seed] },
  ];
  const plan = roles.flatMap((r) => r.seeds.map((seed) => ({ r, seed, ...lossSpec(r.name) })));
  const jobs = plan.map((p) => {
    const settings = { ...proxy, seed: p.seed };
    return makeJob('proxy', proxyKey(p.hash, settings), { settings, slot, loss: p.loss, cacheDir });
  });
  const outcomes = await executor.run<ProxyResult>(jobs);
  const baselines = roles.map((r) => {
    const runs = plan
      .map((p, k) => ({ p, o: outcomes[k]! }))
      .filter(({ p }) => p.r === r)
      .map(({ p, o }) => ({ seed: p.seed, fitness: o.result.fitness, stats: o.result.stats, seconds: o.seconds, worker: o.worker }));
    const [mean, std] = meanStd(runs.map((x) => x.fitness));
    return { role: r.role, name: r.name, loss: lossSpec(r.name).loss, runs, mean, std };
  });
  return { domain, slot, proxy, proxyHash: proxyHash(proxy), baselines, seedStd: baselines[0]!.std };
}
