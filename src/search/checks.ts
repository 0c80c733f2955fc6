/**
 * The cheap checks of one candidate, as a job a worker can run: every
 * convergence property of its domain (all of them, so each rejection is
 * recorded under every property that failed) and, when they all hold, the
 * optimisation simulation, which is a threshold filter here, not the fitness.
 * Every candidate is checked with the same seed (common random numbers).
 */
import type { Domain } from '../symbolic/domains.js';
import { parse } from '../symbolic/parse/index.js';
import { LossKernel } from '../verify/loss-kernel.js';
import { PointCache, verifyLoss } from '../verify/verify-loss.js';
import { simulate } from '../verify/simulate.js';

export interface CheckSettings {
  /** Points per property check. */
  readonly numRuns: number;
  readonly simulationSteps: number;
  /** Smallest improvement of the simulated task metric that passes. */
  readonly simulationThreshold: number;
  readonly seed: number;
}

export const DEFAULT_CHECKS: CheckSettings = { numRuns: 100, simulationSteps: 100, simulationThreshold: 0.1, seed: 1 };

export interface CheckPayload {
  readonly prefix: string;
  readonly domain: Domain;
  readonly checks: CheckSettings;
}

export interface CheckResult {
  /** Names of the properties that failed (empty: all hold). */
  readonly failed: readonly string[];
  /** Absent when a property failed (the simulation is not run then). */
  readonly simulation?: { readonly pass: boolean; readonly before: number; readonly after: number; readonly improvement: number; readonly reason?: string };
  readonly seconds: { readonly checks: number; readonly simulation: number };
}

/**
 * Checks one candidate; `points` keeps the drawn points for the next (a worker owns one).
 *
 * @example
 * runChecks({ prefix: 'Div(I,U)', domain: 'reg', checks: DEFAULT_CHECKS }).failed // ['monotone-iou', ...]
 */
export function runChecks(p: CheckPayload, points: PointCache = new PointCache()): CheckResult {
  const tree = parse(p.prefix, { domain: p.domain }).tree;
  const t0 = performance.now();
  const verdict = verifyLoss({ tree, domain: p.domain }, { shrink: false, numRuns: p.checks.numRuns, seed: p.checks.seed, points });
  const failed = verdict.properties.filter((v) => v.status === 'fail').map((v) => v.name);
  const t1 = performance.now();
  if (failed.length) return { failed, seconds: { checks: (t1 - t0) / 1000, simulation: 0 } };
  const sim = simulate(new LossKernel(tree, p.domain), { steps: p.checks.simulationSteps, seed: p.checks.seed, threshold: p.checks.simulationThreshold });
  const pass = sim.pass && Number.isFinite(sim.after);
  const finite = (x: number): number => (Number.isFinite(x) ? x : 0);
  return {
    failed,
    simulation: { pass, before: finite(sim.before), after: finite(sim.after), improvement: finite(sim.improvement), ...(sim.reason ? { reason: sim.reason } : {}) },
    seconds: { checks: (t1 - t0) / 1000, simulation: (performance.now() - t1) / 1000 },
  };
}
