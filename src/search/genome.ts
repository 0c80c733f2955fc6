/**
 * Candidates as DEAP-style flat prefix arrays: a subtree is a contiguous
 * slice found by counting arities, which makes crossover and mutation cheap
 * slice swaps. Trees are converted at the boundary (`toTree`/`fromTree`),
 * and the round trip is tested.
 */
import { constant, input, op, type Node } from '../symbolic/node.js';
import type { InputName } from '../symbolic/domains.js';
import type { OpName } from '../symbolic/op-names.js';
import { isInteger, rat, toNumber } from '../symbolic/rational.js';
import { opSpec } from '../symbolic/registry.js';

export type Gene =
  | { readonly kind: 'op'; readonly op: OpName }
  | { readonly kind: 'input'; readonly name: InputName }
  /** `value`, or the fraction value/den when `den` is given (seeds such as focal's 0.25 keep their exact constants). */
  | { readonly kind: 'const'; readonly value: number; readonly den?: number };

export type Genome = readonly Gene[];

export function arity(g: Gene): number {
  return g.kind === 'op' ? opSpec(g.op).arity : 0;
}

/** End (exclusive) of the subtree that starts at `start` (DEAP's searchSubtree). */
export function subtreeEnd(genome: Genome, start: number): number {
  let need = 1;
  let i = start;
  while (need > 0) {
    if (i >= genome.length) throw new RangeError('malformed genome: missing arguments');
    need += arity(genome[i]!) - 1;
    i++;
  }
  return i;
}

export function toTree(genome: Genome): Node {
  let pos = 0;
  const go = (): Node => {
    const g = genome[pos++];
    if (!g) throw new RangeError('malformed genome: missing arguments');
    if (g.kind === 'const') return constant(g.den === undefined ? g.value : rat(g.value, g.den));
    if (g.kind === 'input') return input(g.name);
    const args = Array.from({ length: opSpec(g.op).arity }, go);
    return op(g.op, ...args);
  };
  const tree = go();
  if (pos !== genome.length) throw new RangeError('malformed genome: trailing genes');
  return tree;
}

const safe = (b: bigint): boolean => b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER);

/** Flattens a tree; constants must be rationals with safe-integer parts (the search space samples 1, 2, 3). */
export function fromTree(tree: Node): Gene[] {
  const out: Gene[] = [];
  const go = (n: Node): void => {
    if (n.kind === 'op') {
      out.push({ kind: 'op', op: n.op });
      n.args.forEach(go);
    } else if (n.kind === 'input') out.push({ kind: 'input', name: n.name });
    else if (n.kind === 'const' && isInteger(n.value)) out.push({ kind: 'const', value: toNumber(n.value) });
    else if (n.kind === 'const' && safe(n.value.n) && safe(n.value.d)) out.push({ kind: 'const', value: Number(n.value.n), den: Number(n.value.d) });
    else throw new RangeError(`a search genome holds rational constants and inputs only, not ${n.kind === 'const' ? 'a constant this large' : n.kind}`);
  };
  go(tree);
  return out;
}
