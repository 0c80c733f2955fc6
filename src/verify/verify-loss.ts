/**
 * Verdicts per loss: every property of its domain checked on points drawn
 * from the valid domain, and for a failing property a counterexample found
 * and shrunk by fast-check.
 *
 * Speed: the points of a property are drawn once per (property, domain,
 * options) and reused for every loss, and the loss is compiled once into a
 * value-and-gradient kernel; only a failing property pays for fast-check's
 * search and shrinking, which draws the same points from the same seed.
 */
import fc from 'fast-check';
import { toPrefix } from '../render/prefix.js';
import { resolveLoss } from '../symbolic/builtins.js';
import type { Domain } from '../symbolic/domains.js';
import { LossKernel, type LossLike } from './loss-kernel.js';
import { optionsKey, resolveOptions, type ResolvedOptions, type VerifyOptions } from './options.js';
import { propertiesFor, type PropertyDef, type PropertyName, type Violation } from './properties.js';
import { simulate, type SimulationOptions, type SimulationResult } from './simulate.js';

export interface Counterexample extends Violation {
  readonly property: PropertyName;
  /** The drawn point (box or logit parameters) after shrinking. */
  readonly point: unknown;
  /** Shrinking steps fast-check took from the first failing point. */
  readonly shrinks: number;
  /** Replays the search: `fc.check(property, { seed, path })` fails at `point` at once (absent when shrinking was off). */
  readonly replay?: { readonly seed: number; readonly path: string };
}

export interface PropertyVerdict {
  readonly name: PropertyName;
  readonly description: string;
  readonly status: 'pass' | 'fail' | 'warn';
  /** Points checked before the verdict. */
  readonly checked: number;
  readonly counterexample?: Counterexample;
}

export interface LossVerdict {
  readonly expr: string;
  readonly domain: Domain;
  /** The built-in's name when the loss is one. */
  readonly name?: string;
  /** `fail` when a failing property or the simulation fails; warnings do not fail a loss. */
  readonly verdict: 'pass' | 'fail';
  readonly properties: PropertyVerdict[];
  readonly simulation?: SimulationResult;
}

export interface VerifyLossOptions extends VerifyOptions {
  /** Domain for an expression whose inputs do not fix it. */
  readonly domain?: Domain;
  /** Only these properties (those that do not apply to the loss's domain are skipped). Default all of its domain. */
  readonly properties?: readonly PropertyName[];
  /** Search and shrink a counterexample for a failing property. Default true. */
  readonly shrink?: boolean;
  /** Stop at the first failing property (for filtering many candidates). Default false. */
  readonly failFast?: boolean;
  /** Also run the optimisation simulation. Default false. */
  readonly simulate?: boolean | SimulationOptions;
}

const pointCache = new Map<string, unknown[]>();

function pointsOf(def: PropertyDef<any>, domain: Domain, o: ResolvedOptions): unknown[] {
  const key = `${def.name}|${domain}|${optionsKey(o)}`;
  let pts = pointCache.get(key);
  if (!pts) {
    pts = fc.sample(def.points(domain, o), { seed: o.seed, numRuns: o.numRuns });
    pointCache.set(key, pts);
  }
  return pts;
}

/**
 * Checks one property of a compiled loss; with `shrink`, a failure comes with
 * fast-check's minimal counterexample.
 *
 * @example
 * checkProperty(LossKernel.from('Div(I,U)'), propertyDef('monotone-in-iou'), resolveOptions()).status // 'fail'
 */
export function checkProperty(k: LossKernel, def: PropertyDef<any>, o: ResolvedOptions, shrink = true): PropertyVerdict {
  const pts = pointsOf(def, k.domain, o);
  const bad = pts.findIndex((p) => def.check(k, p, o) !== undefined);
  const failed: PropertyVerdict['status'] = def.severity === 'warn' ? 'warn' : 'fail';
  const base = { name: def.name, description: def.description };
  if (bad < 0) return { ...base, status: 'pass', checked: pts.length };
  let point = pts[bad];
  let shrinks = 0;
  let replay: Counterexample['replay'];
  if (shrink) {
    const run = fc.check(
      fc.property(def.points(k.domain, o), (p) => def.check(k, p, o) === undefined),
      { seed: o.seed, numRuns: o.numRuns },
    );
    if (run.failed && run.counterexample) {
      point = run.counterexample[0];
      shrinks = run.numShrinks;
      replay = { seed: o.seed, path: run.counterexamplePath! };
    }
  }
  const v = def.check(k, point, o)!;
  return { ...base, status: failed, checked: bad + 1, counterexample: { property: def.name, point, shrinks, ...(replay ? { replay } : {}), ...v } };
}

/**
 * The verdicts of one loss: each property of its domain, and optionally the
 * optimisation simulation.
 *
 * @example
 * verifyLoss('giou').verdict // 'pass'
 * verifyLoss('Div(I,U)').properties.find((p) => p.status === 'fail')?.name // 'monotone-in-iou'
 */
export function verifyLoss(loss: LossLike, options: VerifyLossOptions = {}): LossVerdict {
  const o = resolveOptions(options);
  const resolved = typeof loss === 'string' ? resolveLoss(loss, options.domain ? { domain: options.domain } : {}) : undefined;
  const k = resolved ? new LossKernel(resolved.tree, resolved.domain) : LossKernel.from(loss);
  const wanted = options.properties ? new Set(options.properties) : undefined;
  const props: PropertyVerdict[] = [];
  for (const def of propertiesFor(k.domain)) {
    if (wanted && !wanted.has(def.name)) continue;
    const v = checkProperty(k, def, o, options.shrink ?? true);
    props.push(v);
    if (options.failFast && v.status === 'fail') break;
  }
  let simulation: SimulationResult | undefined;
  const propsFail = props.some((p) => p.status === 'fail');
  if (options.simulate && !(options.failFast && propsFail)) {
    simulation = simulate(k, typeof options.simulate === 'object' ? options.simulate : {});
  }
  const verdict = propsFail || (simulation && !simulation.pass) ? 'fail' : 'pass';
  return {
    expr: toPrefix(k.tree),
    domain: k.domain,
    ...(resolved?.builtin ? { name: resolved.builtin.name } : {}),
    verdict,
    properties: props,
    ...(simulation ? { simulation } : {}),
  };
}
