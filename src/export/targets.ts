/** The names export takes on its command line; no imports, so the CLI reads them at start-up without loading a code generator. */

/** What `autoloss export --to` writes. */
export const EXPORT_TARGETS = ['pytorch', 'tfjs', 'mmdet', 'latex'] as const;
export type ExportTarget = (typeof EXPORT_TARGETS)[number];

/** The slots of an mmdetection head a loss fills. */
export const LOSS_SLOTS = ['loss_cls', 'loss_bbox'] as const;
export type LossSlot = (typeof LOSS_SLOTS)[number];

/** The detectors mmdetection configs are written for (details in mmdet-configs.ts, a record over these names). */
export const MMDET_DETECTOR_NAMES = ['fcos', 'atss', 'faster-rcnn', 'cascade-rcnn'] as const;
export type MmdetDetector = (typeof MMDET_DETECTOR_NAMES)[number];
