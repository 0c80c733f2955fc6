/**
 * fast-check arbitraries for expression trees, built from the registry: the
 * operators of a domain's search space, its inputs, and the constants 1, 2, 3
 * (plus a few decimals and negatives). Used by the project's property tests
 * and exported for users' own.
 */
import fc from 'fast-check';
import { DOMAINS, type Domain } from './domains.js';
import { constant, input, op, type Node } from './node.js';
import { parseDecimal } from './rational.js';
import { searchOps } from './registry.js';
import type { OpSpec } from './op-spec.js';

export interface TreeArbitraryOptions {
  /** Largest depth (a leaf has depth 1). Default 5. */
  readonly maxDepth?: number;
  /** Operators to draw from; default the domain's search space. */
  readonly ops?: readonly OpSpec[];
  /** Also draw decimal and negative constants. Default false (the paper's 1, 2, 3 only). */
  readonly decimals?: boolean;
}

const DECIMALS = ['0.25', '0.5', '-1', '-2', '1.5', '0.001'].map((t) => constant(parseDecimal(t)!));

/**
 * Random trees of one domain.
 *
 * @example
 * fc.assert(fc.property(treeArbitrary('reg'), (t) => size(t) >= 1));
 */
export function treeArbitrary(domain: Domain, options: TreeArbitraryOptions = {}): fc.Arbitrary<Node> {
  const ops = options.ops ?? searchOps(domain);
  const leaves: Node[] = [...DOMAINS[domain].inputs.map((i) => input(i.name)), constant(1), constant(2), constant(3)];
  if (options.decimals) leaves.push(...DECIMALS);
  const leaf = fc.constantFrom(...leaves);
  const maxDepth = options.maxDepth ?? 5;
  const { tree } = fc.letrec<{ tree: Node; node: Node }>((tie) => ({
    tree: fc.oneof({ depthSize: 'small', maxDepth: maxDepth - 1, withCrossShrink: true }, leaf, tie('node')),
    node: fc.oneof(
      ...ops.map((o) =>
        o.arity === 1
          ? tie('tree').map((a) => op(o.name, a) as Node)
          : fc.tuple(tie('tree'), tie('tree')).map(([a, b]) => op(o.name, a, b) as Node),
      ),
    ),
  }));
  return tree;
}
