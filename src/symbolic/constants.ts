/**
 * The numbers that are part of the semantics (SEMANTICS.md), stated once.
 * Runtime code reads them, and the code generators interpolate them into the
 * Python and TypeScript they write, so an exported loss computes what the
 * trainer and the evaluator compute.
 */

/** The guard of Div and Log: a/(b + ε), ln(a + ε). */
export const GUARD_EPS = 1e-20;

/** Exp's clamp: exp(min(a, EXP_CLAMP)), below float32's overflow at about 88.72. */
export const EXP_CLAMP = 88;

/** What the reference adds to the union U and the enclosing area E of two boxes, keeping them positive for degenerate boxes. */
export const BOX_EPS = 1e-7;

/**
 * Focal loss's α (mmdetection, RetinaNet): the binary domain's elementwise
 * loss is weighted by α_t = α·PY + (1 − α)·NY, as focal loss is.
 */
export const FOCAL_ALPHA = 0.25;

/** Focal loss's γ: the modulating factor (1 − p_t)^γ. */
export const FOCAL_GAMMA = 2;

