/**
 * A finished search's `best.json`, read for export: its domain and its
 * losses in rank order. Only what export needs is required (`domain`, and a
 * `best` array whose entries have a `prefix`); other fields (fitness,
 * metric, infix, generations) are kept when present and ignored otherwise.
 * Entries are ordered by an explicit `rank` when every entry has one, else
 * as the file lists them (the search writes them best first).
 */
import { isDomain, DOMAIN_NAMES, type Domain } from '../symbolic/domains.js';
import type { Node } from '../symbolic/node.js';
import { parse } from '../symbolic/parse/index.js';
import { ParseError } from '../symbolic/parse/errors.js';
import { UserError } from '../util/errors.js';
import { readJson } from '../util/fs.js';

export interface RankedLoss {
  /** 1 for the best. */
  readonly rank: number;
  readonly domain: Domain;
  readonly prefix: string;
  readonly tree: Node;
  readonly fitness?: number;
  readonly metric?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates a parsed best.json; `where` names the file in errors.
 *
 * @example
 * searchWinners({ domain: 'reg', best: [{ prefix: 'Sub(1,Div(I,U))', fitness: 0.4 }] }, 'best.json')[0].rank // 1
 */
function searchWinners(json: unknown, where: string): RankedLoss[] {
  if (!isObject(json)) throw new UserError(`${where}: expected a JSON object with "domain" and "best"`);
  const domain = json['domain'];
  if (typeof domain !== 'string' || !isDomain(domain)) throw new UserError(`${where}: field "domain" must be one of ${DOMAIN_NAMES.join(', ')}${domain === undefined ? ' (missing)' : `, not ${JSON.stringify(domain)}`}`);
  const best = json['best'];
  if (!Array.isArray(best)) throw new UserError(`${where}: field "best" must be an array of losses${best === undefined ? ' (missing)' : ''}`);
  if (best.length === 0) throw new UserError(`${where}: field "best" is empty: the search has no loss to export`);
  const entries = best.map((e: unknown, k) => {
    const at = `${where}: best[${k}]`;
    if (!isObject(e)) throw new UserError(`${at} must be an object with a "prefix"`);
    const prefix = e['prefix'];
    if (typeof prefix !== 'string' || prefix.trim() === '') throw new UserError(`${at}.prefix must be a non-empty string (the loss in prefix notation)${prefix === undefined ? ', and is missing' : ''}`);
    const fitness = e['fitness'];
    if (fitness !== undefined && fitness !== null && typeof fitness !== 'number') throw new UserError(`${at}.fitness must be a number`);
    const rank = e['rank'];
    if (rank !== undefined && (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 1)) throw new UserError(`${at}.rank must be a positive integer`);
    const metric = e['metric'];
    let tree: Node;
    try {
      tree = parse(prefix, { domain }).tree;
    } catch (err) {
      if (err instanceof ParseError) throw new UserError(`${at}.prefix does not parse in domain ${domain}: ${err.message}`);
      throw err;
    }
    return { k, rank: rank as number | undefined, prefix, tree, fitness: typeof fitness === 'number' ? fitness : undefined, metric: typeof metric === 'string' ? metric : undefined };
  });
  const ranked = entries.every((e) => e.rank !== undefined);
  if (ranked) {
    const seen = new Set<number>();
    for (const e of entries) {
      if (seen.has(e.rank!)) throw new UserError(`${where}: best[${e.k}].rank ${e.rank} appears twice`);
      seen.add(e.rank!);
    }
  }
  const ordered = ranked ? [...entries].sort((a, b) => a.rank! - b.rank!) : entries;
  return ordered.map((e, k) => ({
    rank: k + 1,
    domain,
    prefix: e.prefix,
    tree: e.tree,
    ...(e.fitness !== undefined ? { fitness: e.fitness } : {}),
    ...(e.metric !== undefined ? { metric: e.metric } : {}),
  }));
}

/** Reads and validates a best.json file. */
export function readSearchWinners(path: string): RankedLoss[] {
  return searchWinners(readJson(path, 'search result'), path);
}
