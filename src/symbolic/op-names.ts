/** Operator names of the language (SEMANTICS.md, "Operators"), read from the registry's entries. */
import { ALL_OPS, REGISTRY, type OpName } from './registry.js';

export type { OpName } from './registry.js';

export const OP_NAMES: readonly OpName[] = ALL_OPS.map((o) => o.name);

export function isOpName(s: string): s is OpName {
  return Object.hasOwn(REGISTRY, s);
}
