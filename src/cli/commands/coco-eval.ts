import type { Command } from 'commander';
import { IOU_TYPES, type IouType } from '../../metrics/coco-params.js';
import { readJson } from '../../util/fs.js';
import { UserError } from '../errors.js';

interface Options {
  iouType: string;
  gt: string;
  dets: string;
  json?: boolean;
  perCategory?: boolean;
}

export function register(program: Command): void {
  program
    .command('coco-eval')
    .description('COCO bbox or mask AP/AR of detections against ground truth, exactly as pycocotools COCOeval computes them')
    .option('--iou-type <type>', `what is matched: ${IOU_TYPES.join(' or ')} (segm: instance masks; the ground truth needs a "segmentation" on every annotation, detections carry compressed RLE masks)`, 'bbox')
    .requiredOption('--gt <file>', 'ground truth: a COCO annotation file (images, annotations, categories)')
    .requiredOption('--dets <file>', 'detections: a COCO results list [{image_id, category_id, bbox: [x, y, w, h], score}] (segmentation: {size, counts} for segm)')
    .option('--json', 'print {"stats": [12 numbers]} in pycocotools order')
    .option('--per-category', 'also give AP and AR100 per category (in --json as "perCategory")')
    .action(async (opts: Options) => {
      if (!(IOU_TYPES as readonly string[]).includes(opts.iouType)) throw new UserError(`--iou-type '${opts.iouType}': expected ${IOU_TYPES.join(' or ')}`);
      const iouType = opts.iouType as IouType;
      const { maskProblem, validateCoco, validateDetections } = await import('../../data/coco-format.js');
      const { cocoEvaluate } = await import('../../metrics/coco-eval.js');
      const { COCO_PARAMS } = await import('../../metrics/coco-params.js');
      const gt = validateCoco(readJson(opts.gt, 'ground truth file'), opts.gt);
      const problem = iouType === 'segm' ? maskProblem(gt, opts.gt) : undefined;
      if (problem) throw new UserError(`${problem} (--iou-type segm needs a mask for every annotation)`);
      const dets = validateDetections(readJson(opts.dets, 'detections file'), opts.dets, gt);
      const res = cocoEvaluate(gt, dets, { ...COCO_PARAMS, iouType });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(opts.perCategory ? { stats: res.stats, perCategory: res.perCategory } : { stats: res.stats })}\n`);
        return;
      }
      const { COCO_STATS, summaryLine } = await import('../../metrics/coco-stats.js');
      const out = res.stats.map((v, k) => `${summaryLine(COCO_STATS[k]!, [COCO_PARAMS.iouThrs[0]!, COCO_PARAMS.iouThrs.at(-1)!])} = ${v}`);
      if (opts.perCategory) {
        out.push('', 'category                          AP         AR100');
        for (const c of gt.categories) {
          const r = res.perCategory[c.id]!;
          out.push(`${`${c.id} ${c.name}`.padEnd(30).slice(0, 30)} ${r.AP.toFixed(6).padStart(9)} ${r.AR100.toFixed(6).padStart(13)}`);
        }
      }
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
