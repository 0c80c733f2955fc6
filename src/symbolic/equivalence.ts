/**
 * Deciding whether two expressions are the same loss.
 *
 * - proven-equal: the canonical forms agree, directly or after the sound
 *   rewrite rules of the simplifier (for generic inputs, as the rational
 *   normal form assumes: i/i is 1).
 * - proven-different: a valid input point where both are finite, no guard is
 *   active, and the values differ beyond rounding; the point is the witness.
 * - unknown: equal at every sampled point, but no proof.
 */
import { DOMAINS, type Domain, type InputName } from './domains.js';
import { canonical } from './canonical.js';
import { evaluate, type Inputs } from './evaluate.js';
import { guardsActive } from './guards.js';
import type { Node } from './node.js';
import { simplify } from './simplify/simplify.js';
import { randomValidInputs, type UniformRng } from './valid-points.js';
import { makeRng as seededUniform } from '../util/rng.js';

export interface Witness {
  /** One sample: per input, a number (reg) or the row of class values. */
  readonly inputs: Partial<Record<InputName, number | number[]>>;
  /** Values of the two expressions there (per class for classification). */
  readonly values: readonly [number | number[], number | number[]];
}

export type Equivalence =
  | { readonly verdict: 'equal'; readonly proof: 'canonical-form' | 'rules-and-canonical-form' }
  | { readonly verdict: 'different'; readonly witness: Witness }
  | { readonly verdict: 'unknown'; readonly points: number };

export interface EquivalenceOptions {
  /** Random points to try for a witness. Default 200. */
  readonly points?: number;
  /** Uniform [0, 1) source; default a fixed-seed generator, so answers are reproducible. */
  readonly rng?: UniformRng;
  /** Classes per sample in classification domains. Default 4. */
  readonly classes?: number;
}

/**
 * Compares two expressions of one domain.
 *
 * @example
 * equivalent(parse('1 - i/u').tree, parse('(u - i)/u').tree, 'reg').verdict // 'equal'
 * equivalent(parse('i/u').tree, parse('i/e').tree, 'reg').verdict // 'different'
 */
export function equivalent(a: Node, b: Node, domain: Domain, options: EquivalenceOptions = {}): Equivalence {
  if (canonical(a, domain) === canonical(b, domain)) return { verdict: 'equal', proof: 'canonical-form' };
  const sa = simplify(a, domain).tree;
  const sb = simplify(b, domain).tree;
  if (canonical(sa, domain) === canonical(sb, domain)) return { verdict: 'equal', proof: 'rules-and-canonical-form' };
  const rng = options.rng ?? seededUniform(0x5eed);
  const n = options.points ?? 200;
  const cols = DOMAINS[domain].classAxis ? (options.classes ?? 4) : 1;
  for (let k = 0; k < n; k++) {
    const inputs = randomValidInputs(domain, rng, 1, cols);
    if (guardsActive(a, domain, inputs) || guardsActive(b, domain, inputs)) continue;
    const va = evaluate(a, domain, inputs).data;
    const vb = evaluate(b, domain, inputs).data;
    for (let j = 0; j < va.length; j++) {
      const x = va[j]!;
      const y = vb[j]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (Math.abs(x - y) > 1e-6 * Math.max(1, Math.abs(x), Math.abs(y))) {
        return { verdict: 'different', witness: witness(domain, inputs, va, vb) };
      }
    }
  }
  return { verdict: 'unknown', points: n };
}

function witness(domain: Domain, inputs: Inputs, va: Float64Array, vb: Float64Array): Witness {
  const classAxis = DOMAINS[domain].classAxis;
  const pick = (d: Float64Array): number | number[] => (classAxis ? Array.from(d) : d[0]!);
  const out: Partial<Record<InputName, number | number[]>> = {};
  for (const spec of DOMAINS[domain].inputs) out[spec.name] = pick(inputs[spec.name]!.data);
  return { inputs: out, values: [pick(va), pick(vb)] };
}
