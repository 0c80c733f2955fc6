/**
 * `npm run bench:search`: throughput of the search's funnel, stage by stage,
 * with 1 and 2 workers (through `createExecutor`, as `autoloss search
 * --workers N` runs them):
 *
 * - structure limits and canonical-hash dedupe (in the coordinator);
 * - the checks job (convergence properties, then the simulation for the
 *   candidates whose properties hold), candidates per second of wall time;
 * - proxy trainings per hour.
 *
 * The candidates are random trees of the reg search space (seeded). There is
 * no peer: the paper's authors did not release their search. Wall time is
 * what a user waits; on a busy machine the figures drop with the load, so
 * the CPU count and load average are printed with them.
 *
 * Options (env): BENCH_CANDIDATES (default 96), BENCH_TRAININGS (proxy
 * trainings per worker count, default 2), BENCH_PROXY_STEPS (default: the
 * search's default proxy), BENCH_WORKERS (default "1,2"). `--json` prints one
 * JSON object.
 */
import { cpus, loadavg } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalHash } from '../src/symbolic/canonical.js';
import { depth, size } from '../src/symbolic/node.js';
import { toPrefix } from '../src/render/prefix.js';
import { DEFAULT_CHECKS, type CheckResult } from '../src/search/checks.js';
import { DEFAULT_SEARCH } from '../src/search/evolve.js';
import { createExecutor } from '../src/search/executor/index.js';
import { generate } from '../src/search/generate.js';
import { toTree } from '../src/search/genome.js';
import { makeJob } from '../src/search/jobs.js';
import { primitiveSet } from '../src/search/primitives.js';
import { DEFAULT_PROXY, proxyKey, type ProxyResult } from '../src/search/proxy.js';
import { SeededRng } from '../src/util/rng.js';

const N = Number(process.env['BENCH_CANDIDATES'] ?? 96);
const T = Number(process.env['BENCH_TRAININGS'] ?? 2);
const WORKERS = (process.env['BENCH_WORKERS'] ?? '1,2').split(',').map(Number);
const proxy = { ...DEFAULT_PROXY, ...(process.env['BENCH_PROXY_STEPS'] ? { steps: Number(process.env['BENCH_PROXY_STEPS']) } : {}) };
const json = process.argv.includes('--json');
const say = (s = ''): void => void (json || process.stdout.write(`${s}\n`));
const cache = mkdtempSync(join(tmpdir(), 'autoloss-bench-search-'));

const rng = new SeededRng(1);
const pset = primitiveSet('reg');
const genomes = Array.from({ length: N }, () => generate(pset, rng, 2, 4, 'half'));

// Stage 1–2: structure limits and dedupe, in the coordinator.
let t0 = performance.now();
const seen = new Set<string>();
const valid: string[] = [];
for (const g of genomes) {
  const tree = toTree(g);
  if (size(tree) > DEFAULT_SEARCH.maxSize || depth(tree) > DEFAULT_SEARCH.maxDepth) continue;
  const h = canonicalHash(tree, 'reg');
  if (seen.has(h)) continue;
  seen.add(h);
  valid.push(toPrefix(tree));
}
const dedupeRate = N / ((performance.now() - t0) / 1000);
say(`search funnel throughput on ${cpus().length} CPUs (load average ${loadavg()[0]!.toFixed(1)}), ${N} random reg candidates, ${valid.length} distinct`);
say(`structure limits + canonical-hash dedupe (coordinator): ${dedupeRate.toFixed(0)} candidates/s`);

const results: Record<string, unknown>[] = [];
for (const workers of WORKERS) {
  const ex = await createExecutor({ workers });
  try {
    // Warm-up: load the handler (and, in threads, each worker's modules).
    await ex.run(Array.from({ length: workers }, (_, k) => makeJob('check', `warm-${k}`, { prefix: valid[k % valid.length]!, domain: 'reg', checks: { ...DEFAULT_CHECKS, numRuns: 5, simulationSteps: 5 } })));
    t0 = performance.now();
    const outs = await ex.run<CheckResult>(valid.map((prefix, k) => makeJob('check', `bench-${k}`, { prefix, domain: 'reg', checks: DEFAULT_CHECKS })));
    const checkWall = (performance.now() - t0) / 1000;
    const propSeconds = outs.reduce((a, o) => a + o.result.seconds.checks, 0);
    const simulated = outs.filter((o) => o.result.simulation);
    const simSeconds = simulated.reduce((a, o) => a + o.result.seconds.simulation, 0);
    t0 = performance.now();
    const losses = ['Sub(1,Div(I,U))', 'Add(Sub(1,Div(I,U)),Div(Sub(E,U),E))', 'Sub(2,Div(I,U))', 'Sub(3,Div(I,U))'];
    const trainings = T * workers;
    await ex.run<ProxyResult>(
      Array.from({ length: trainings }, (_, k) => makeJob('proxy', proxyKey(`bench-${workers}-${k}`, proxy), { settings: { ...proxy, seed: k }, slot: 'reg', loss: losses[k % losses.length]!, cacheDir: cache })),
    );
    const trainWall = (performance.now() - t0) / 1000;
    const row = {
      workers,
      executor: ex.description,
      checks_per_second: valid.length / checkWall,
      properties_per_handler_second: valid.length / propSeconds,
      simulations_per_handler_second: simulated.length ? simulated.length / simSeconds : null,
      simulated: simulated.length,
      trainings,
      proxy_trainings_per_hour: (trainings / trainWall) * 3600,
      seconds_per_training: trainWall / trainings,
    };
    results.push(row);
    say(
      `${workers} worker${workers === 1 ? '' : 's'} (${ex.description}): checks ${row.checks_per_second.toFixed(1)} candidates/s (properties ${row.properties_per_handler_second.toFixed(1)}/s and simulation ${row.simulations_per_handler_second?.toFixed(1) ?? '–'}/s per worker, ${simulated.length} simulated); ` +
        `proxy trainings ${row.proxy_trainings_per_hour.toFixed(0)}/h (${trainings} runs of ${proxy.steps} steps, ${row.seconds_per_training.toFixed(1)} s each on average)`,
    );
  } finally {
    await ex.close();
  }
}
if (results.length === 2) {
  const [a, b] = results as { checks_per_second: number; proxy_trainings_per_hour: number }[];
  say(`2 workers vs 1: checks ×${(b!.checks_per_second / a!.checks_per_second).toFixed(2)}, proxy trainings ×${(b!.proxy_trainings_per_hour / a!.proxy_trainings_per_hour).toFixed(2)}`);
}
if (json) process.stdout.write(`${JSON.stringify({ cpus: cpus().length, load: loadavg()[0], candidates: N, distinct: valid.length, dedupe_per_second: dedupeRate, proxy, results })}\n`);
