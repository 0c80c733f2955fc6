/**
 * mmdetection configs that put an exported loss into a detector: one child
 * config per detector whose slot fits the loss's domain, inheriting
 * mmdetection 3.x's stock config (`_base_ = 'mmdet::…'`) and importing the
 * generated module with `custom_imports`.
 *
 * Which detector takes which classification domain follows the paper:
 * one-stage heads (FCOS, ATSS) use a per-class sigmoid (`binary`), R-CNN
 * heads a softmax over C+1 classes (`multi`). Any detector takes a `reg`
 * loss on decoded boxes. Loss weights are mmdetection's stock weights for
 * the IoU-type loss each config replaces.
 */
import { FOCAL_ALPHA } from '../symbolic/constants.js';
import type { Domain } from '../symbolic/domains.js';
import { slotOf } from './mmdet.js';
import { MMDET_DETECTOR_NAMES, type MmdetDetector } from './targets.js';

interface DetectorSpec {
  readonly title: string;
  /** mmdetection 3.x base config. */
  readonly base: string;
  /** The classification domain its head uses. */
  readonly clsDomain: 'multi' | 'binary';
  /** loss_weight of the stock IoU-type box loss on decoded boxes. */
  readonly bboxWeight: number;
}

/** The detectors configs are written for. */
export const MMDET_DETECTORS: Readonly<Record<MmdetDetector, DetectorSpec>> = {
  fcos: { title: 'FCOS', base: 'mmdet::fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py', clsDomain: 'binary', bboxWeight: 1.0 },
  // The paper trains its searched ATSS losses with weight 1 (a recipe, see docs/render.md); 2.0 is mmdetection's.
  atss: { title: 'ATSS', base: 'mmdet::atss/atss_r50_fpn_1x_coco.py', clsDomain: 'binary', bboxWeight: 2.0 },
  'faster-rcnn': { title: 'Faster R-CNN', base: 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py', clsDomain: 'multi', bboxWeight: 10.0 },
  'cascade-rcnn': { title: 'Cascade R-CNN', base: 'mmdet::cascade_rcnn/cascade-rcnn_r50_fpn_1x_coco.py', clsDomain: 'multi', bboxWeight: 10.0 },
};

/** Cascade R-CNN's three stages (mmdetection's stock values); a list in a config replaces the base's whole list. */
const CASCADE_STDS = ['[0.1, 0.1, 0.2, 0.2]', '[0.05, 0.05, 0.1, 0.1]', '[0.033, 0.033, 0.067, 0.067]'];

/** Detectors whose slot for this domain takes the loss. */
export function detectorsFor(domain: Domain): MmdetDetector[] {
  return MMDET_DETECTOR_NAMES.filter((d) => domain === 'reg' || MMDET_DETECTORS[d].clsDomain === domain);
}

/**
 * The loss's dict. Merged into a base config's dict (`merge`), it carries
 * `_delete_=True`: the replaced loss's own keys (FocalLoss's gamma,
 * CrossEntropyLoss's use_sigmoid) would otherwise reach the constructor.
 * Items of a list that replaces the base's list are taken as written.
 */
function lossDict(name: string, domain: Domain, detector: MmdetDetector, merge = true): string {
  const head = `dict(${merge ? '_delete_=True, ' : ''}type='${name}'`;
  if (domain === 'binary') return `${head}, use_sigmoid=True, alpha=${FOCAL_ALPHA}, loss_weight=1.0)`;
  if (domain === 'multi') return `${head}, loss_weight=1.0)`;
  return `${head}, loss_weight=${MMDET_DETECTORS[detector].bboxWeight.toFixed(1)})`;
}

function cascadeHeads(name: string, domain: Domain): string {
  const stages = CASCADE_STDS.map((stds) => {
    const cls = domain === 'reg' ? "dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)" : lossDict(name, domain, 'cascade-rcnn', false);
    const bbox = domain === 'reg' ? lossDict(name, domain, 'cascade-rcnn', false) : "dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0)";
    return `            dict(
                type='Shared2FCBBoxHead',
                in_channels=256,
                fc_out_channels=1024,
                roi_feat_size=7,
                num_classes=80,
                bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0.0, 0.0, 0.0, 0.0], target_stds=${stds}),
                reg_class_agnostic=True,${domain === 'reg' ? '\n                reg_decoded_bbox=True,' : ''}
                loss_cls=${cls},
                loss_bbox=${bbox}),`;
  });
  return `model = dict(
    roi_head=dict(
        bbox_head=[
${stages.join('\n')}
        ]))`;
}

function modelOverride(name: string, domain: Domain, detector: MmdetDetector): string {
  const slot = slotOf(domain);
  const loss = lossDict(name, domain, detector);
  if (detector === 'cascade-rcnn') return cascadeHeads(name, domain);
  if (detector === 'faster-rcnn') {
    const decoded = domain === 'reg' ? 'reg_decoded_bbox=True, ' : '';
    return `model = dict(roi_head=dict(bbox_head=dict(${decoded}${slot}=${loss})))`;
  }
  return `model = dict(bbox_head=dict(${slot}=${loss}))`;
}

/**
 * A child config putting loss `name` (from module `module`) into `detector`.
 *
 * @example
 * mmdetConfig('AutolossBCls', 'autoloss_b_cls', 'binary', 'fcos')
 * // "…_base_ = 'mmdet::fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py'\n…loss_cls=dict(type='AutolossBCls', use_sigmoid=True, …"
 */
export function mmdetConfig(name: string, module: string, domain: Domain, detector: MmdetDetector): string {
  const spec = MMDET_DETECTORS[detector];
  return `# ${spec.title} with ${name} as ${slotOf(domain)} (generated by autoloss).
# Train (mmdetection 3.x, from its checkout, with ${module}.py's folder on PYTHONPATH):
#   PYTHONPATH=/path/to/this/folder python tools/train.py /path/to/this/file
_base_ = '${spec.base}'
custom_imports = dict(imports=['${module}'], allow_failed_imports=False)
${modelOverride(name, domain, detector)}
`;
}
