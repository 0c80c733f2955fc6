/**
 * The operator registry: one entry per operator, gathered here. Everything
 * else (parser, printers, evaluator, symbolic engine, exporters, tensor
 * compiler, search) reads operators from this table only.
 */
import type { Domain } from './domains.js';
import type { OpSpec } from './op-spec.js';
import { abs } from './ops/abs.js';
import { add } from './ops/add.js';
import { cos } from './ops/cos.js';
import { div } from './ops/div.js';
import { dot } from './ops/dot.js';
import { exp } from './ops/exp.js';
import { log } from './ops/log.js';
import { mul } from './ops/mul.js';
import { neg } from './ops/neg.js';
import { relu } from './ops/relu.js';
import { salf } from './ops/salf.js';
import { serf } from './ops/serf.js';
import { sgdf } from './ops/sgdf.js';
import { sig } from './ops/sig.js';
import { sin } from './ops/sin.js';
import { softmax } from './ops/softmax.js';
import { softplus } from './ops/softplus.js';
import { sqrt } from './ops/sqrt.js';
import { sub } from './ops/sub.js';
import { tanh } from './ops/tanh.js';

/**
 * Every operator, in the order of SEMANTICS.md. The one list: operator names,
 * their type (`OpName`) and the lookup table all come from it.
 */
const ENTRIES = [add, sub, mul, div, neg, log, exp, abs, sqrt, sin, cos, tanh, relu, softplus, sig, serf, salf, sgdf, softmax, dot] as const;

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
