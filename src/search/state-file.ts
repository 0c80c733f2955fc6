/**
 * Reading a search folder back: the checkpoint and the training log, with
 * errors that name the file and the field when either is not what this
 * version wrote. Nothing in the checkpoint is taken on trust that can be
 * re-derived: each loss's hash is recomputed from its expression, and each
 * fitness must be the one its proxy training logged.
 */
import { existsSync, readFileSync } from 'node:fs';
import { canonicalHash } from '../symbolic/canonical.js';
import { isDomain, type Domain } from '../symbolic/domains.js';
import { parse } from '../symbolic/parse/index.js';
import { UserError } from '../util/errors.js';
import type { Candidate, SearchState, TrainingRecord, Verdict } from './evolve.js';
import { PROXY_DETECTORS, PROXY_RECIPES, proxyKey } from './proxy.js';

class StateFileError extends UserError {}

const VERDICTS: readonly Verdict[] = ['structure', 'property', 'simulation', 'untrained', 'trained'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Reads `trainings.jsonl`. A last line cut short by a kill is dropped (its
 * training reruns); any other bad line is an error naming its number.
 */
export function readTrainings(path: string): Map<string, TrainingRecord> {
  const out = new Map<string, TrainingRecord>();
  if (!existsSync(path)) return out;
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, k) => {
    if (!line.trim()) return;
    let r: Obj;
    try {
      r = JSON.parse(line) as Obj;
    } catch {
      if (k >= lines.length - 2) return;
      throw new StateFileError(`${path}: line ${k + 1} is not valid JSON`);
    }
    for (const f of ['key', 'hash', 'prefix'] as const) if (typeof r[f] !== 'string') throw new StateFileError(`${path}: line ${k + 1}: field "${f}" must be a string`);
    if (typeof r.fitness !== 'number' || !(r.fitness >= 0 && r.fitness <= 1)) throw new StateFileError(`${path}: line ${k + 1}: field "fitness" must be a number in [0, 1]`);
    out.set(r.key as string, r as unknown as TrainingRecord);
  });
  return out;
}

const POSITIVE_INTS = ['population', 'parents', 'maxSize', 'maxDepth', 'trainTop'] as const;
const NON_NEGATIVE_INTS = ['generations', 'seed', 'elite'] as const;

/**
 * Checks a parsed `search-state.json` against the folder's training log.
 *
 * @example
 * const state = checkSearchState(readJson(path), path, readTrainings(join(dir, 'trainings.jsonl')));
 */
export function checkSearchState(json: unknown, path: string, trainings: ReadonlyMap<string, TrainingRecord>): SearchState {
  const fail = (what: string): never => {
    throw new StateFileError(`search state ${path}: ${what}`);
  };
  if (!isObj(json)) return fail('is not a JSON object');
  if (json.version !== 2) fail(`field "version" must be 2, found ${JSON.stringify(json.version)}`);
  const o = json.options;
  if (!isObj(o)) return fail('field "options" is missing');
  if (!isDomain(String(o.domain))) fail('field "options.domain" is missing or not a domain');
  const domain = o.domain as Domain;
  for (const f of POSITIVE_INTS) if (!Number.isInteger(o[f]) || (o[f] as number) < 1) fail(`field "options.${f}" must be a positive integer`);
  for (const f of NON_NEGATIVE_INTS) if (!Number.isInteger(o[f]) || (o[f] as number) < 0) fail(`field "options.${f}" must be a non-negative integer`);
  for (const f of ['crossoverRate', 'mutationRate'] as const) if (typeof o[f] !== 'number' || !((o[f] as number) >= 0 && (o[f] as number) <= 1)) fail(`field "options.${f}" must be in [0, 1]`);
  if (!Array.isArray(o.initDepth) || o.initDepth.length !== 2 || !o.initDepth.every((d) => Number.isInteger(d) && d >= 0)) fail('field "options.initDepth" must be two depths');
  if (!isObj(o.checks) || !['numRuns', 'simulationSteps', 'simulationThreshold', 'seed'].every((f) => typeof (o.checks as Obj)[f] === 'number')) fail('field "options.checks" must hold numRuns, simulationSteps, simulationThreshold and seed');
  const p = o.proxy;
  if (!isObj(p) || !(PROXY_DETECTORS as readonly string[]).includes(String(p.detector))) fail('field "options.proxy.detector" is missing or not a detector');
  for (const f of ['images', 'valImages', 'imageSize', 'steps', 'batch'] as const) if (!Number.isInteger((p as Obj)[f]) || ((p as Obj)[f] as number) < 1) fail(`field "options.proxy.${f}" must be a positive integer`);
  if (typeof (p as Obj).data !== 'string') fail('field "options.proxy.data" must be a string');
  if (!(PROXY_RECIPES as readonly unknown[]).includes((p as Obj).recipe)) fail(`field "options.proxy.recipe" must be one of ${PROXY_RECIPES.join(', ')}`);
  if (!Number.isInteger(json.generation) || (json.generation as number) < 0) fail('field "generation" must be a non-negative integer');
  if (!Number.isInteger(json.rngState)) fail('field "rngState" must be an integer');
  for (const key of ['population', 'archive', 'history'] as const) if (!Array.isArray(json[key])) fail(`field "${key}" must be an array`);
  const archive = json.archive as unknown[];
  const byHash = new Map<string, Candidate>();
  archive.forEach((c, k) => {
    const at = `archive[${k}]`;
    if (!isObj(c)) return fail(`${at} is not an object`);
    if (typeof c.prefix !== 'string') fail(`field "${at}.prefix" must be a string`);
    let hash: string;
    try {
      hash = canonicalHash(parse(c.prefix as string, { domain }).tree, domain);
    } catch (e) {
      return fail(`field "${at}.prefix" is not a ${domain} loss: ${(e as Error).message}`);
    }
    if (c.hash !== hash) fail(`field "${at}.hash" does not match its prefix ${c.prefix as string}`);
    if (!VERDICTS.includes(c.verdict as Verdict)) fail(`field "${at}.verdict" must be one of ${VERDICTS.join(', ')}`);
    if (c.verdict === 'trained') {
      const logged = trainings.get(proxyKey(hash, p as never));
      if (!logged) fail(`field "${at}.fitness": no proxy training of ${c.prefix as string} (hash ${hash}) in trainings.jsonl`);
      if (c.fitness !== logged!.fitness) fail(`field "${at}.fitness" is ${JSON.stringify(c.fitness)} but its proxy training logged ${logged!.fitness}`);
    } else if (c.fitness !== undefined) fail(`field "${at}.fitness" is set but the loss was never trained (verdict ${c.verdict as string})`);
    if (byHash.has(hash)) fail(`field "${at}.hash" appears twice in the archive`);
    byHash.set(hash, c as unknown as Candidate);
  });
  const population = json.population as unknown[];
  if (population.length === 0) fail('field "population" is empty: a search needs at least one candidate to breed from');
  population.forEach((h, k) => {
    if (typeof h !== 'string' || !byHash.has(h)) fail(`field "population[${k}]" is not the hash of an archived loss`);
  });
  const history = json.history as unknown[];
  if (history.length !== (json.generation as number) + 1) fail(`field "history" must hold ${(json.generation as number) + 1} generations, found ${history.length}`);
  history.forEach((h, k) => {
    if (!isObj(h) || h.generation !== k) fail(`field "history[${k}].generation" must be ${k}`);
  });
  return json as unknown as SearchState;
}
