/**
 * The convergence-simulation filter of one candidate, cheapest checks first
 * (as in the paper, where over 99% of random candidates are rejected before
 * any training): structural limits, duplicates by a normal-form key, the
 * convergence properties of its domain (all of them, so that rejected candidates are graded), and
 * the optimisation simulation, whose metric after optimisation is the
 * candidate's fitness.
 */
import { toPrefix } from '../render/prefix.js';
import type { Domain } from '../symbolic/domains.js';
import { depth, size, type Node } from '../symbolic/node.js';
import { canonicalHash } from '../symbolic/canonical.js';
import { LossKernel } from '../verify/loss-kernel.js';
import { verifyLoss } from '../verify/verify-loss.js';
import { simulate, type SimulationResult } from '../verify/simulate.js';

export type Outcome = 'too-large' | 'duplicate' | 'property' | 'simulation' | 'pass';

export interface CandidateResult {
  readonly prefix: string;
  /** Normal-form key: candidates with one key are the same loss. */
  readonly key: string;
  readonly outcome: Outcome;
  /** Task metric after the simulated optimisation (in [0, 1]); minus the number of failing properties when those fail; −Infinity otherwise. */
  readonly fitness: number;
  /** The first failing property, when one failed. */
  readonly failedProperty?: string;
  readonly simulation?: SimulationResult;
}

export interface FilterOptions {
  readonly maxSize: number;
  readonly maxDepth: number;
  /** Points per property check. */
  readonly numRuns: number;
  readonly simulationSteps: number;
}

/** A key shared by trees equal up to commutativity, associativity and rational normalisation. */
export function candidateKey(tree: Node, domain: Domain): string {
  return canonicalHash(tree, domain);
}

export function evaluateCandidate(tree: Node, domain: Domain, seen: ReadonlyMap<string, CandidateResult>, o: FilterOptions, seed: number): CandidateResult {
  const prefix = toPrefix(tree);
  const key = candidateKey(tree, domain);
  const rejected = { prefix, key, fitness: -Infinity } as const;
  if (size(tree) > o.maxSize || depth(tree) > o.maxDepth) return { ...rejected, outcome: 'too-large' };
  const before = seen.get(key);
  if (before) return { ...before, prefix, outcome: before.outcome === 'pass' ? 'duplicate' : before.outcome };
  const verdict = verifyLoss({ tree, domain }, { shrink: false, numRuns: o.numRuns, seed });
  const failed = verdict.properties.filter((p) => p.status === 'fail');
  if (failed.length) {
    // Graded below every passing loss: fewer failing properties rank higher, so
    // selection can climb toward the feasible region before any loss passes.
    return { ...rejected, fitness: -failed.length, outcome: 'property', failedProperty: failed[0]!.name };
  }
  const sim = simulate(new LossKernel(tree, domain), { steps: o.simulationSteps, seed });
  if (!sim.pass || !Number.isFinite(sim.after)) return { ...rejected, outcome: 'simulation', simulation: sim };
  return { prefix, key, outcome: 'pass', fitness: sim.after, simulation: sim };
}
