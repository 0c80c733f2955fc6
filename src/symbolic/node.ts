/**
 * Expression trees: immutable and interned, so structurally equal trees are
 * the same object (`a === b` is structural equality) and per-tree facts can be
 * cached in WeakMaps.
 *
 * The intern table holds weak references: a search that creates and drops
 * millions of candidates does not keep them alive.
 */
import type { InputName } from './domains.js';
import type { OpName } from './op-names.js';
import { type Rat, rat } from './rational.js';

export type NamedConstant = 'pi';

export interface ConstNode {
  readonly kind: 'const';
  readonly id: number;
  readonly value: Rat;
}
/** A named irrational constant (π appears in the derivatives of erf and gd). */
export interface NamedNode {
  readonly kind: 'named';
  readonly id: number;
  readonly name: NamedConstant;
}
export interface InputNode {
  readonly kind: 'input';
  readonly id: number;
  readonly name: InputName;
}
export interface OpNode {
  readonly kind: 'op';
  readonly id: number;
  readonly op: OpName;
  readonly args: readonly Node[];
}
/** A pattern variable `?a`: only in rule and derivative templates, never in a user's loss. */
export interface PatternNode {
  readonly kind: 'pattern';
  readonly id: number;
  readonly name: string;
}
export type Node = ConstNode | NamedNode | InputNode | OpNode | PatternNode;

const table = new Map<string, WeakRef<Node>>();
const registry = new FinalizationRegistry<string>((key) => {
  const ref = table.get(key);
  if (ref && ref.deref() === undefined) table.delete(key);
});
let nextId = 1;

function intern<T extends Node>(key: string, make: (id: number) => T): T {
  const hit = table.get(key)?.deref();
  if (hit) return hit as T;
  const node = Object.freeze(make(nextId++)) as T;
  table.set(key, new WeakRef<Node>(node));
  registry.register(node, key);
  return node;
}

export function constant(value: Rat | number | bigint): ConstNode {
  let r: Rat;
  if (typeof value === 'object') r = value;
  else if (typeof value === 'bigint') r = rat(value);
  else {
    if (!Number.isInteger(value)) throw new RangeError(`constant(${value}): pass a Rat for non-integers`);
    r = rat(BigInt(value));
  }
  return intern(`c${r.n}/${r.d}`, (id) => ({ kind: 'const', id, value: r }));
}

export function named(name: NamedConstant): NamedNode {
  return intern(`n${name}`, (id) => ({ kind: 'named', id, name }));
}

export function input(name: InputName): InputNode {
  return intern(`i${name}`, (id) => ({ kind: 'input', id, name }));
}

export function pattern(name: string): PatternNode {
  return intern(`p${name}`, (id) => ({ kind: 'pattern', id, name }));
}

export function op(name: OpName, ...args: Node[]): OpNode {
  const key = `o${name}(${args.map((a) => a.id).join(',')})`;
  return intern(key, (id) => ({ kind: 'op', id, op: name, args: Object.freeze([...args]) }));
}

const sizeCache = new WeakMap<Node, number>();
/** Number of nodes. */
export function size(node: Node): number {
  if (node.kind !== 'op') return 1;
  let s = sizeCache.get(node);
  if (s === undefined) {
    s = 1;
    for (const a of node.args) s += size(a);
    sizeCache.set(node, s);
  }
  return s;
}

const depthCache = new WeakMap<Node, number>();
/** Depth: a leaf has depth 1. */
export function depth(node: Node): number {
  if (node.kind !== 'op') return 1;
  let d = depthCache.get(node);
  if (d === undefined) {
    d = 1 + Math.max(...node.args.map(depth));
    depthCache.set(node, d);
  }
  return d;
}

const inputsCache = new WeakMap<Node, ReadonlySet<InputName>>();
const EMPTY: ReadonlySet<InputName> = new Set();
/** The inputs a tree reads. */
export function inputsOf(node: Node): ReadonlySet<InputName> {
  if (node.kind === 'input') return new Set([node.name]);
  if (node.kind !== 'op') return EMPTY;
  let s = inputsCache.get(node);
  if (!s) {
    const acc = new Set<InputName>();
    for (const a of node.args) for (const n of inputsOf(a)) acc.add(n);
    s = acc;
    inputsCache.set(node, s);
  }
  return s;
}

/**
 * Every distinct node under `roots` once, children before parents: the
 * evaluation order of the DAG that interning makes of shared subtrees.
 */
export function postorder(roots: readonly Node[]): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>();
  const visit = (n: Node): void => {
    if (seen.has(n)) return;
    seen.add(n);
    if (n.kind === 'op') for (const a of n.args) visit(a);
    order.push(n);
  };
  roots.forEach(visit);
  return order;
}

/** Rebuilds a tree bottom-up; `f` sees each node with its already-mapped children. */
function mapTree(node: Node, f: (node: Node) => Node): Node {
  if (node.kind !== 'op') return f(node);
  const args = node.args.map((a) => mapTree(a, f));
  const same = args.every((a, i) => a === node.args[i]);
  return f(same ? node : op(node.op, ...args));
}

/** Replaces pattern variables by trees. */
export function instantiate(template: Node, bindings: Readonly<Record<string, Node>>): Node {
  return mapTree(template, (n) => {
    if (n.kind !== 'pattern') return n;
    const b = bindings[n.name];
    if (!b) throw new Error(`template variable ?${n.name} is unbound`);
    return b;
  });
}
