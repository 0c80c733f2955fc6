/**
 * Verdicts per loss: every property of its domain checked on points drawn
 * from the valid domain, and for a failing property a counterexample found
 * and shrunk by fast-check.
 *
 * Speed: the points of a property are drawn once per (property, domain,
 * options) and reused for every loss checked with the same `PointCache`
 * (one per run: a CLI call, a report, a search worker), and the loss is compiled once into a
 * value-and-gradient kernel; only a failing property pays for fast-check's
 * search and shrinking, which draws the same points from the same seed.
 */
import fc from 'fast-check';
import { toPrefix } from '../render/prefix.js';
import { resolveLoss } from '../symbolic/builtins.js';
import { DOMAINS, type Domain, type InputName } from '../symbolic/domains.js';
import { LossKernel, type KernelRun, type LossLike } from './loss-kernel.js';
import type { TapeWorkspace } from './tape-kernel.js';
import { optionsKey, resolveOptions, type ResolvedOptions, type VerifyOptions } from './options.js';
import { checkPoint, propertiesFor, type Encoded, type PropertyDef, type PropertyName, type Violation } from './properties.js';
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
  /** Stop at the first failing property, checking `finite` last (for filtering many candidates). Default false. */
  readonly failFast?: boolean;
  /** Where drawn points are kept for the next loss; default a fresh cache for this call. */
  readonly points?: PointCache;
  /** Also run the optimisation simulation. Default false. */
  readonly simulate?: boolean | SimulationOptions;
  /** The tape's intermediate values, to share between the losses of a caller that checks many in turn. Default: the loss's own. */
  readonly workspace?: TapeWorkspace;
}

/** A property's points for one domain, their rows stacked by class count so that one kernel call covers them. */
interface Prepared {
  readonly points: unknown[];
  readonly encoded: Encoded[];
  readonly groups: Group[];
  /** For each point: its group and first row there. */
  readonly where: { group: number; offset: number }[];
}
interface Group {
  readonly cols: number;
  rows: number;
  readonly parts: Encoded[];
  inputs?: Partial<Record<InputName, Float64Array>>;
  /** Output arrays reused from one loss to the next. */
  out?: KernelRun;
}

/**
 * The points drawn for each (property, domain, options), with output buffers
 * reused from one loss to the next. Whoever checks many losses owns one and
 * passes it in `VerifyLossOptions.points`; it only grows with the distinct
 * option sets it sees.
 */
export class PointCache {
  private readonly prepared = new Map<string, Prepared>();
  private readonly keys = new WeakMap<ResolvedOptions, string>();

  /** A property's points for `domain` under `o`, drawn on first use. */
  get(def: PropertyDef<any>, domain: Domain, o: ResolvedOptions): Prepared {
    let ok = this.keys.get(o);
    if (ok === undefined) this.keys.set(o, (ok = optionsKey(o)));
    const key = `${def.name}|${domain}|${ok}`;
    let p = this.prepared.get(key);
    if (!p) this.prepared.set(key, (p = prepare(def, domain, o)));
    return p;
  }
}

function prepare(def: PropertyDef<any>, domain: Domain, o: ResolvedOptions): Prepared {
  const points = fc.sample(def.points(domain, o), { seed: o.seed, numRuns: o.numRuns });
  const encoded = points.map((pt) => def.encode(domain, pt, o));
  const groups: Group[] = [];
  const where = encoded.map((e) => {
    let g = groups.findIndex((x) => x.cols === e.cols);
    if (g < 0) g = groups.push({ cols: e.cols, rows: 0, parts: [] }) - 1;
    const group = groups[g]!;
    const offset = group.rows;
    group.rows += e.rows;
    group.parts.push(e);
    return { group: g, offset };
  });
  for (const g of groups) {
    const inputs: Partial<Record<InputName, Float64Array>> = {};
    for (const name of DOMAINS[domain].inputs.map((i) => i.name)) {
      if (!g.parts.some((e) => e.inputs[name])) continue;
      const a = new Float64Array(g.rows * g.cols);
      let at = 0;
      for (const e of g.parts) {
        const v = e.inputs[name];
        if (v) a.set(v, at);
        at += e.rows * e.cols;
      }
      inputs[name] = a;
    }
    g.inputs = inputs;
  }
  return { points, encoded, groups, where };
}

/** Points judged per kernel call, growing: most candidates fail within the first few points. */
const CHUNKS = [4, 16, 64, 256];

/** Index of the first point (in drawing order) at which the property fails, or −1. */
function firstFailure(k: LossKernel, def: PropertyDef<any>, prep: Prepared, o: ResolvedOptions): number {
  for (const g of prep.groups) {
    if (!g.out || g.out.value.length < g.rows * g.cols) {
      const n = g.rows * g.cols;
      g.out = { value: new Float64Array(n), grads: Object.fromEntries(k.wrt.map((w) => [w, new Float64Array(n)])) };
    }
  }
  let j0 = 0;
  for (let c = 0; j0 < prep.points.length; c++) {
    const j1 = Math.min(prep.points.length, j0 + (CHUNKS[c] ?? Infinity));
    // The chunk's rows in each group are contiguous: run each group's slice once.
    const span = new Map<number, [number, number]>();
    for (let j = j0; j < j1; j++) {
      const { group, offset } = prep.where[j]!;
      const rows = prep.encoded[j]!.rows;
      const s = span.get(group);
      if (s) s[1] = offset + rows;
      else span.set(group, [offset, offset + rows]);
    }
    for (const [gi, [r0, r1]] of span) {
      const g = prep.groups[gi]!;
      const from = r0 * g.cols;
      const to = r1 * g.cols;
      const inputs: Partial<Record<InputName, Float64Array>> = {};
      for (const [n, a] of Object.entries(g.inputs!) as [InputName, Float64Array][]) inputs[n] = a.subarray(from, to);
      const grads: KernelRun['grads'] = {};
      for (const [n, a] of Object.entries(g.out!.grads) as [InputName, Float64Array][]) grads[n] = a.subarray(from, to);
      k.run(inputs, r1 - r0, g.cols, { value: g.out!.value.subarray(from, to), grads }, def.needsGradient);
    }
    for (let j = j0; j < j1; j++) {
      const { group, offset } = prep.where[j]!;
      const e = prep.encoded[j]!;
      if (def.judge(prep.points[j], e, prep.groups[group]!.out!, o, offset * e.cols) !== undefined) return j;
    }
    j0 = j1;
  }
  return -1;
}

/**
 * Checks one property of a compiled loss; with `shrink`, a failure comes with
 * fast-check's minimal counterexample.
 *
 * @example
 * checkProperty(LossKernel.from('Div(I,U)'), propertyDef('monotone-in-iou'), resolveOptions()).status // 'fail'
 */
export function checkProperty(k: LossKernel, def: PropertyDef<any>, o: ResolvedOptions, shrink = true, points: PointCache = new PointCache()): PropertyVerdict {
  const prep = points.get(def, k.domain, o);
  const pts = prep.points;
  const bad = firstFailure(k, def, prep, o);
  const failed: PropertyVerdict['status'] = def.severity === 'warn' ? 'warn' : 'fail';
  const base = { name: def.name, description: def.description };
  if (bad < 0) return { ...base, status: 'pass', checked: pts.length };
  let point = pts[bad];
  let shrinks = 0;
  let replay: Counterexample['replay'];
  if (shrink) {
    const run = fc.check(
      fc.property(def.points(k.domain, o), (p) => checkPoint(k, def, p, o) === undefined),
      { seed: o.seed, numRuns: o.numRuns },
    );
    if (run.failed && run.counterexample) {
      point = run.counterexample[0];
      shrinks = run.numShrinks;
      replay = { seed: o.seed, path: run.counterexamplePath! };
    }
  }
  // The drawn point is already encoded; a shrunk one is encoded afresh.
  const enc = point === pts[bad] ? prep.encoded[bad]! : def.encode(k.domain, point, o);
  const v = def.judge(point, enc, k.run(enc.inputs, enc.rows, enc.cols), o, 0)!;
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
  const { tree, domain } = typeof loss === 'string' ? resolved! : loss;
  const k = new LossKernel(tree, domain, 'tape', options.workspace);
  const wanted = options.properties ? new Set(options.properties) : undefined;
  const points = options.points ?? new PointCache();
  const props: PropertyVerdict[] = [];
  // Filtering many candidates: the gradient-sign and monotonicity checks reject most random
  // trees within a few points, while `finite` holds for most of them; check it last.
  const defs = propertiesFor(k.domain);
  if (options.failFast) defs.push(...defs.splice(defs.findIndex((d) => d.name === 'finite'), 1));
  for (const def of defs) {
    if (wanted && !wanted.has(def.name)) continue;
    const v = checkProperty(k, def, o, options.shrink ?? true, points);
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
