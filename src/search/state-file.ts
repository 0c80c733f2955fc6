/**
 * Reading a search checkpoint back, with errors that name the file and the
 * field when it is not one this version wrote.
 */
import { isDomain } from '../symbolic/domains.js';
import type { SearchState } from './evolve.js';

export class StateFileError extends Error {
  readonly userFacing = true;
}

export function checkSearchState(json: unknown, path: string): SearchState {
  const fail = (what: string): never => {
    throw new StateFileError(`search state ${path}: ${what}`);
  };
  if (!json || typeof json !== 'object') fail('is not a JSON object');
  const s = json as Partial<SearchState>;
  if (s.version !== 1) fail(`field "version" must be 1, found ${JSON.stringify(s.version)}`);
  if (!s.options || typeof s.options !== 'object' || !isDomain(String(s.options.domain))) fail('field "options.domain" is missing or not a domain');
  if (!Number.isInteger(s.generation) || s.generation! < 0) fail('field "generation" must be a non-negative integer');
  if (!Number.isInteger(s.rngState)) fail('field "rngState" must be an integer');
  for (const key of ['population', 'archive', 'history'] as const) if (!Array.isArray(s[key])) fail(`field "${key}" must be an array`);
  s.population!.forEach((r, k) => {
    if (typeof r?.prefix !== 'string' || typeof r.key !== 'string') fail(`population[${k}] lacks "prefix" or "key"`);
  });
  // JSON has no −Infinity: it was written as null.
  const fix = <T extends { fitness: number | null }>(r: T): T => ({ ...r, fitness: r.fitness ?? -Infinity });
  return { ...(s as SearchState), population: s.population!.map(fix), archive: s.archive!.map(fix) };
}
