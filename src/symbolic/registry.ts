/**
 * The operator registry: one entry per operator, gathered here. Everything
 * else (parser, printers, evaluator, symbolic engine, exporters, tensor
 * compiler, search) reads operators from this table only.
 */
import type { Domain } from './domains.js';
import type { OpSpec } from './op-spec.js';

/**
 * Every operator, in the order of SEMANTICS.md. The one list: operator names,
 * their type (`OpName`) and the lookup table all come from it. One line per
 * operator, naming its file: the order is the search's sampling order, so a
 * new operator goes at the end (appending keeps every seeded random tree).
 */
const ENTRIES = [
  (await import('./ops/add.js')).add,
  (await import('./ops/sub.js')).sub,
  (await import('./ops/mul.js')).mul,
  (await import('./ops/div.js')).div,
  (await import('./ops/neg.js')).neg,
  (await import('./ops/log.js')).log,
  (await import('./ops/exp.js')).exp,
  (await import('./ops/abs.js')).abs,
  (await import('./ops/sqrt.js')).sqrt,
  (await import('./ops/sin.js')).sin,
  (await import('./ops/cos.js')).cos,
  (await import('./ops/tanh.js')).tanh,
  (await import('./ops/relu.js')).relu,
  (await import('./ops/softplus.js')).softplus,
  (await import('./ops/sig.js')).sig,
  (await import('./ops/serf.js')).serf,
  (await import('./ops/salf.js')).salf,
  (await import('./ops/sgdf.js')).sgdf,
  (await import('./ops/softmax.js')).softmax,
  (await import('./ops/dot.js')).dot,
] as const;

/** An operator's name in prefix syntax. */
export type OpName = (typeof ENTRIES)[number]['name'];

const ops: OpSpec[] = [...ENTRIES];
const table: Record<string, OpSpec> = Object.fromEntries(ops.map((o) => [o.name, o]));
const infixTable = new Map<string, OpSpec>(ops.flatMap((o) => (o.infix.kind === 'call' ? [[o.infix.name, o] as const] : [])));

/** All entries, in the order of SEMANTICS.md. */
export const ALL_OPS: readonly OpSpec[] = ops;

export const REGISTRY: Readonly<Record<OpName, OpSpec>> = table as Record<OpName, OpSpec>;

export function opSpec(name: OpName): OpSpec {
  return REGISTRY[name];
}

/** Operators the search samples in a domain (SEMANTICS.md, "Which operators each domain's search space draws from"). */
export function searchOps(domain: Domain): OpSpec[] {
  return ALL_OPS.filter((o) => o.searchDomains.includes(domain));
}

/** Infix function name → operator (`sig` → Sig). */
export const INFIX_FUNCTIONS: ReadonlyMap<string, OpSpec> = infixTable;

/** Infix operator symbol → operator: binary (`/` → Div) and prefix (`-` → Neg), read from the entries' infix syntax. */
export const INFIX_BINARY: ReadonlyMap<string, OpSpec> = new Map(ops.flatMap((o) => (o.infix.kind === 'binary' ? [[o.infix.symbol, o] as const] : [])));
export const INFIX_PREFIX: ReadonlyMap<string, OpSpec> = new Map(ops.flatMap((o) => (o.infix.kind === 'prefix' ? [[o.infix.symbol, o] as const] : [])));

/**
 * Registers `spec` as one more operator of the table above until the
 * returned function is called: for tests that show an operator's own file
 * carries it through every path (parser, printers, evaluator, kernels,
 * exporters). Production operators are listed in `ENTRIES`.
 *
 * @example
 * const remove = addOperator(softsign); try { parse('Softsign(X)') } finally { remove() }
 */
export function addOperator(spec: OpSpec<string>): () => void {
  const infixName = spec.infix.kind === 'call' ? spec.infix.name : undefined;
  if (Object.hasOwn(table, spec.name) || (infixName !== undefined && infixTable.has(infixName))) {
    throw new Error(`operator ${spec.name} is already registered`);
  }
  const entry = spec as OpSpec;
  ops.push(entry);
  table[spec.name] = entry;
  if (infixName !== undefined) infixTable.set(infixName, entry);
  return () => {
    ops.splice(ops.indexOf(entry), 1);
    delete table[spec.name];
    if (infixName !== undefined) infixTable.delete(infixName);
  };
}

/** Constants with names, usable in both syntaxes. */
export const NAMED_CONSTANTS = {
  pi: { value: Math.PI, latex: '\\pi', python: 'math.pi', tfjs: 'Math.PI', js: 'Math.PI' },
} as const;
