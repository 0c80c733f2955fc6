/**
 * Canonical form and a stable hash: trees equal up to commutativity,
 * associativity and rational normalisation (including constant folding and
 * cancellation of common factors, for generic inputs) have the same
 * canonical tree and therefore the same hash.
 *
 * The canonical tree is the rational normal form (`poly/rational-form.ts`),
 * whose atoms have canonical arguments and sorted commutative arguments. No
 * rewrite rules are applied: rules are not confluent with the normal form,
 * and applying them could send two rationally equal trees to different
 * forms. Where a tree has no rational form (a divisor identically zero, or a
 * form past the term budget) the canonical tree is the tree with the
 * arguments of commutative operators sorted.
 */
import { toPrefix } from '../render/prefix.js';
import type { Domain } from './domains.js';
import { op, type Node } from './node.js';
import { formResidues, residuesOf } from './poly/modular.js';
import { formToTree, rationalForm } from './poly/rational-form.js';
import { FormTooLarge, ZeroDivision } from './poly/ratfunc.js';
import { opSpec } from './registry.js';

const caches: Record<Domain, WeakMap<Node, Node>> = { multi: new WeakMap(), binary: new WeakMap(), reg: new WeakMap() };
const hashCaches: Record<Domain, WeakMap<Node, string>> = { multi: new WeakMap(), binary: new WeakMap(), reg: new WeakMap() };

/**
 * The canonical tree of `tree` in `domain`.
 *
 * @example
 * canonical(parse('Add(I,Mul(U,1))').tree, 'reg') === canonical(parse('Add(U,I)').tree, 'reg') // true
 */
export function canonical(tree: Node, domain: Domain): Node {
  const cache = caches[domain];
  const hit = cache.get(tree);
  if (hit) return hit;
  let out: Node;
  try {
    out = formToTree(rationalForm(tree, domain));
  } catch (e) {
    if (!(e instanceof ZeroDivision || e instanceof FormTooLarge)) throw e;
    out = sortCommutative(tree);
  }
  cache.set(tree, out);
  return out;
}

function sortCommutative(tree: Node): Node {
  if (tree.kind !== 'op') return tree;
  const args = tree.args.map(sortCommutative);
  if (args.length === 2 && opSpec(tree.op).properties.commutative && toPrefix(args[0]!) > toPrefix(args[1]!)) args.reverse();
  return op(tree.op, ...args);
}

/**
 * A stable 64-bit hash (16 hex digits) of the canonical form and the domain:
 * the same across runs and machines.
 *
 * It hashes the form's values at a fixed point modulo four primes
 * (`poly/modular.ts`), which name the rational normal form without
 * computing it (two different forms agree there with probability about
 * 10⁻³⁰): the search hashes every candidate, and reducing each one was
 * the funnel's bottleneck. Where a divisor vanishes at the point the exact
 * form decides; trees without a form (a divisor identically zero) hash
 * their commutatively sorted text. Unlike `canonical`, it has no term
 * budget: equal forms past 20,000 terms still share a hash.
 *
 * @example
 * canonicalHash(parse('1 - i/u').tree, 'reg') === canonicalHash(parse('(u - i)/u').tree, 'reg') // true
 */
export function canonicalHash(tree: Node, domain: Domain): string {
  const cache = hashCaches[domain];
  const hit = cache.get(tree);
  if (hit !== undefined) return hit;
  let residues = residuesOf(tree, domain);
  let text: string | undefined;
  if (!residues) {
    // A divisor vanished at the point: identically (no form: the tree itself names it) or by chance (ask the reduced form).
    try {
      residues = formResidues(rationalForm(tree, domain));
    } catch (e) {
      if (!(e instanceof ZeroDivision || e instanceof FormTooLarge)) throw e;
    }
    if (!residues) text = `${domain}|tree|${toPrefix(sortCommutative(tree))}`;
  }
  const out = hash64(text ?? `${domain}|form|${residues!.join(',')}`);
  cache.set(tree, out);
  return out;
}

/**
 * 64 bits from two 32-bit multiply–xorshift lanes over the UTF-16 code units
 * (the mixing of MurmurHash3's finaliser), as 16 hex digits. Not
 * cryptographic: it names canonical forms, nobody forges them.
 */
function hash64(text: string): string {
  let h1 = 0xdeadbeef ^ text.length;
  let h2 = 0x41c6ce57 ^ text.length;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b) ^ (h2 >>> 7);
  h2 = Math.imul(h2 ^ (h2 >>> 15), 0xc2b2ae35) ^ (h1 >>> 11);
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
