/**
 * The verifier's knobs: where points are drawn and how strict the checks
 * are. Every property reads its ranges and tolerances from here, so that a
 * user can widen or narrow them per run.
 */
export interface VerifyOptions {
  /** Points drawn per property. Default 300. */
  readonly numRuns?: number;
  /** fast-check seed; the same seed draws the same points. Default 1. */
  readonly seed?: number;
  /** Logits are drawn from [−logitRange, logitRange]. Default 10. */
  readonly logitRange?: number;
  /** Box sides are drawn in [minSide, maxSide] px: areas from minSide² to maxSide². Default 2 and 1000 (4 px² to 10⁶ px²). */
  readonly minSide?: number;
  readonly maxSide?: number;
  /** Classes per sample, background included. Default 2 to 6. */
  readonly minClasses?: number;
  readonly maxClasses?: number;
  /** IoU targets w are drawn from [minIou, 1]. Default 0.05. */
  readonly minIou?: number;
  /** `monotone-in-iou` allows an increase up to rel·max(|L₁|,|L₂|) + abs. Default 1e-9 and 1e-12. */
  readonly relTol?: number;
  readonly absTol?: number;
  /** `positives-push-up` applies where σ(x) < w − margin. Default 0.01. */
  readonly positiveMargin?: number;
  /** Points per monotone path, the perfect box included. Default 17. */
  readonly pathPoints?: number;
}

export type ResolvedOptions = Required<VerifyOptions>;

export const DEFAULT_OPTIONS: ResolvedOptions = Object.freeze({
  numRuns: 300,
  seed: 1,
  logitRange: 10,
  minSide: 2,
  maxSide: 1000,
  minClasses: 2,
  maxClasses: 6,
  minIou: 0.05,
  relTol: 1e-9,
  absTol: 1e-12,
  positiveMargin: 0.01,
  pathPoints: 17,
});

const KEYS = Object.keys(DEFAULT_OPTIONS) as (keyof ResolvedOptions)[];

export function resolveOptions(o: VerifyOptions = {}): ResolvedOptions {
  // The common case, no option set, keeps one shared object (and its cached point sets' key).
  if (KEYS.every((k) => o[k] === undefined)) return DEFAULT_OPTIONS;
  const r = { ...DEFAULT_OPTIONS } as Record<keyof ResolvedOptions, number>;
  for (const k of KEYS) if (o[k] !== undefined) r[k] = o[k]!;
  const bad = (what: string): never => {
    throw new RangeError(`verify option ${what}`);
  };
  if (!Number.isInteger(r.numRuns) || r.numRuns < 1) bad(`numRuns must be a positive integer, got ${r.numRuns}`);
  if (!(r.logitRange > 0)) bad(`logitRange must be positive, got ${r.logitRange}`);
  if (!(r.minSide > 0 && r.maxSide >= r.minSide)) bad(`minSide/maxSide must satisfy 0 < minSide ≤ maxSide, got ${r.minSide}, ${r.maxSide}`);
  if (!(Number.isInteger(r.minClasses) && r.minClasses >= 2 && r.maxClasses >= r.minClasses)) bad(`minClasses/maxClasses must be integers with 2 ≤ min ≤ max`);
  if (!(r.minIou > 0 && r.minIou <= 1)) bad(`minIou must be in (0, 1], got ${r.minIou}`);
  if (!(r.pathPoints >= 3)) bad(`pathPoints must be at least 3`);
  return r as ResolvedOptions;
}

export function optionsKey(o: ResolvedOptions): string {
  return JSON.stringify(o);
}
