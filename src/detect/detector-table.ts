/**
 * The table of detectors: one typed entry per name in `DETECTORS`, from
 * which the default and published losses, recipes, the search's proxy
 * choices, the CLI's choices and help text and the docs' lists derive. It
 * loads no tfjs, so the CLI reads it at start-up; `create-detector.ts` holds
 * each entry's constructor, in a record over the same names.
 */
import type { CenternessTarget, DetectorKind, Recipe, RecipeName } from './types.js';

/** A loss pair by built-in name or expression. */
export interface LossPair {
  readonly cls: string;
  readonly reg: string;
}

/** A recipe's box-loss weights: on decoded boxes, and on deltas for detectors that regress them. */
export interface RecipeDefaults {
  readonly centernessTarget: CenternessTarget;
  readonly regWeight: number;
  readonly deltaRegWeight?: number;
}

export interface DetectorSpec {
  readonly summary: string;
  /** The classification domain (SEMANTICS.md): `binary` for one-stage, `multi` for two-stage. */
  readonly clsDomain: 'binary' | 'multi';
  /** Whether the detector has a centerness (quality) branch the recipe's target applies to. */
  readonly centerness: boolean;
  /** Whether it predicts instance masks (trains on the dataset's segmentations, evaluates segm too). */
  readonly masks: boolean;
  /** mmdetection's losses for this detector. */
  readonly defaultLosses: LossPair;
  /** The CSE-Autoloss pair the paper trained this detector family with. */
  readonly publishedLosses: LossPair;
  readonly recipes: Record<RecipeName, RecipeDefaults>;
  /** Whether a search can train it as its proxy (short trainings that rank losses). */
  readonly proxy: boolean;
}

// mmdetection: FCOS GIoU weight 1; ATSS GIoU weight 2; Faster R-CNN L1 on deltas weight 1 and,
// in its IoU-loss configurations (faster_rcnn_r50_fpn_giou_1x), weight 10 on decoded boxes.
// The paper's recipe changes the one-stage detectors only: IoU as centerness target, ATSS weight 1.
const TWO_STAGE_RECIPE: RecipeDefaults = { centernessTarget: 'centerness', regWeight: 10, deltaRegWeight: 1 };

/** What the R-CNN family shares: softmax classification, mmdetection's CE + L1, Autoloss-A, one recipe for both names. */
const TWO_STAGE = {
  clsDomain: 'multi',
  centerness: false,
  masks: false,
  defaultLosses: { cls: 'ce', reg: 'l1' },
  publishedLosses: { cls: 'autoloss-a-cls', reg: 'autoloss-a-reg' },
  recipes: { mmdet: TWO_STAGE_RECIPE, 'cse-autoloss': TWO_STAGE_RECIPE },
} as const satisfies Omit<DetectorSpec, 'summary' | 'proxy'>;

export const DETECTOR_TABLE: Record<DetectorKind, DetectorSpec> = {
  fcos: {
    summary: 'FCOS, one-stage anchor-free (focal + GIoU + centerness)',
    clsDomain: 'binary',
    centerness: true,
    masks: false,
    defaultLosses: { cls: 'focal', reg: 'giou' },
    publishedLosses: { cls: 'autoloss-b-cls', reg: 'autoloss-b-reg' },
    recipes: { mmdet: { centernessTarget: 'centerness', regWeight: 1 }, 'cse-autoloss': { centernessTarget: 'iou', regWeight: 1 } },
    proxy: true,
  },
  atss: {
    summary: 'ATSS, one-stage with adaptive sample selection (focal + GIoU + centerness)',
    clsDomain: 'binary',
    centerness: true,
    masks: false,
    defaultLosses: { cls: 'focal', reg: 'giou' },
    publishedLosses: { cls: 'autoloss-b-cls', reg: 'autoloss-b-reg' },
    recipes: { mmdet: { centernessTarget: 'centerness', regWeight: 2 }, 'cse-autoloss': { centernessTarget: 'iou', regWeight: 1 } },
    proxy: true,
  },
  'faster-rcnn': {
    summary: 'Faster R-CNN, two-stage (softmax CE + L1 on deltas)',
    ...TWO_STAGE,
    proxy: true,
  },
  'cascade-rcnn': {
    summary: 'Cascade R-CNN, three box stages at IoU 0.5/0.6/0.7 (softmax CE + L1 on deltas in each)',
    ...TWO_STAGE,
    proxy: false,
  },
  'mask-rcnn': {
    summary: 'Mask R-CNN, Faster R-CNN with a 28×28 mask head (softmax CE + L1 on deltas + mask BCE)',
    ...TWO_STAGE,
    masks: true,
    proxy: false,
  },
};

/** Overrides of a named recipe, as `--centerness-target` and `--reg-weight` give them. */
export interface RecipeRequest {
  readonly recipe?: RecipeName;
  readonly centernessTarget?: CenternessTarget;
  readonly regWeight?: number;
}

/**
 * The recipe a run trains under: the named preset (default `mmdet`) for this
 * detector, with explicit overrides. `onDeltas` says whether the box loss is
 * on deltas (L1, smooth L1), whose default weight differs from a loss on
 * decoded boxes in two-stage detectors.
 *
 * @example resolveRecipe('atss', { recipe: 'cse-autoloss' }, false) // { centernessTarget: 'iou', regWeight: 1 }
 */
export function resolveRecipe(kind: DetectorKind, req: RecipeRequest, onDeltas: boolean): Recipe {
  const d = DETECTOR_TABLE[kind].recipes[req.recipe ?? 'mmdet'];
  return {
    centernessTarget: req.centernessTarget ?? d.centernessTarget,
    regWeight: req.regWeight ?? (onDeltas ? (d.deltaRegWeight ?? d.regWeight) : d.regWeight),
  };
}
