/**
 * A domain's primitive set, read from the registry: its search-space
 * operators with their sampling weights, its inputs, and the constants the
 * paper samples (1, 2, 3).
 */
import { DOMAINS, type Domain } from '../symbolic/domains.js';
import type { OpSpec } from '../symbolic/op-spec.js';
import { searchOps } from '../symbolic/registry.js';
import type { Gene } from './genome.js';

export interface PrimitiveSet {
  readonly domain: Domain;
  readonly ops: readonly OpSpec[];
  readonly terminals: readonly Gene[];
}

const SEARCH_CONSTANTS = [1, 2, 3] as const;

export function primitiveSet(domain: Domain): PrimitiveSet {
  const terminals: Gene[] = [
    ...DOMAINS[domain].inputs.map((i) => ({ kind: 'input' as const, name: i.name })),
    ...SEARCH_CONSTANTS.map((value) => ({ kind: 'const' as const, value })),
  ];
  return { domain, ops: searchOps(domain), terminals };
}
