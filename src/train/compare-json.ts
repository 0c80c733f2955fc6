/**
 * Reading a comparison back from the compare.json that `autoloss compare`
 * (and `npm start`'s training stage) writes, for reports: the fields a table
 * needs are checked, each error naming the file and the field.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';
import { readJson } from '../util/fs.js';
import type { CompareResult } from './compare.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const numbers = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'number');

/**
 * Reads `path` (a compare.json, or a folder holding one).
 *
 * @example
 * readCompareJson('out/training').combos.map((c) => c.combo.name) // ['default', 'published']
 */
export function readCompareJson(path: string): CompareResult {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'compare.json') : path;
  const json = readJson(file, 'comparison');
  const at = (field: string): string => `${file}: field ${field}`;
  if (!isObject(json)) throw new UserError(`${file}: expected the JSON object autoloss compare writes`);
  for (const f of ['detector', 'data'] as const) if (typeof json[f] !== 'string') throw new UserError(`${at(`"${f}"`)} must be a string`);
  if (json['recipe'] !== undefined && typeof json['recipe'] !== 'string') throw new UserError(`${at('"recipe"')} must be a string`);
  const combos = json['combos'];
  if (!Array.isArray(combos) || combos.length === 0) throw new UserError(`${at('"combos"')} must be a non-empty array`);
  combos.forEach((c: unknown, k) => {
    const where = `"combos[${k}]`;
    if (!isObject(c)) throw new UserError(`${at(`${where}"`)} must be an object`);
    const combo = c['combo'];
    if (!isObject(combo) || !['name', 'cls', 'reg'].every((f) => typeof combo[f] === 'string')) throw new UserError(`${at(`${where}.combo"`)} must have string name, cls and reg`);
    if (!numbers(c['mean'])) throw new UserError(`${at(`${where}.mean"`)} must be an array of numbers`);
    if (!numbers(c['std'])) throw new UserError(`${at(`${where}.std"`)} must be an array of numbers`);
    if (!Array.isArray(c['runs'])) throw new UserError(`${at(`${where}.runs"`)} must be an array`);
  });
  return json as unknown as CompareResult;
}
