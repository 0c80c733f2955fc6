import type { Command } from 'commander';
import type { Domain } from '../../symbolic/domains.js';
import { TF_PACKAGES, type TfPackage } from '../../export/tfjs.js';
import { LATEX_FORMS, type LatexForm } from '../../render/forms.js';
import { EXPORT_TARGETS as TARGETS, LOSS_SLOTS as SLOTS, MMDET_DETECTOR_NAMES as DETECTORS } from '../../export/targets.js';
import { choice, domainOption, positiveInt } from '../options.js';

interface ExportCliOptions {
  to: (typeof TARGETS)[number];
  domain?: Domain;
  name?: string;
  tfPackage?: TfPackage;
  slot?: (typeof SLOTS)[number];
  detector?: (typeof DETECTORS)[number];
  form?: LatexForm;
  top?: number;
  out?: string;
}

export function register(program: Command): void {
  program
    .command('export')
    .description('export a loss, or the top K losses of a finished search (its best.json), as a PyTorch nn.Module, tfjs TypeScript, an mmdetection module with configs, or LaTeX')
    .argument('<expr>', 'expression, built-in name, or a search result (a path ending in .json, e.g. runs/search/best.json)')
    .requiredOption('--to <target>', `one of ${TARGETS.join(', ')}`, choice(TARGETS))
    .option('-d, --domain <domain>', 'multi | binary | reg (when the inputs do not fix it)', domainOption)
    .option('--name <name>', 'class (PyTorch, mmdet) or function (tfjs) name; default from the built-in name, or SearchedLoss (a search: Searched<Domain>, with Rank<k> appended)')
    .option('--tf-package <package>', `tfjs only: the package to import tf from (${TF_PACKAGES.join(', ')})`, choice(TF_PACKAGES))
    .option('--slot <slot>', `${SLOTS.join(' | ')}: refuse a loss whose domain does not fill this mmdetection slot`, choice(SLOTS))
    .option('--detector <detector>', `mmdet only: write the config for this detector alone (${DETECTORS.join(', ')}); its head must take the loss's domain`, choice(DETECTORS))
    .option('--form <form>', `latex only: ${LATEX_FORMS.join(' | ')} (default given)`, choice(LATEX_FORMS))
    .option('--top <k>', 'a search result: how many of its losses, best first (default 1)', positiveInt)
    .option('--out <dir>', 'folder for the files (mmdet: default out/mmdet; a search: default export/ beside best.json)')
    .action(async (expr: string, opts: ExportCliOptions) => {
      const { exportExpression, exportSearch, isSearchResult, writeExport } = await import('../../export/export-command.js');
      const { UserError } = await import('../../util/errors.js');
      const search = isSearchResult(expr);
      if (!search && opts.top !== undefined) throw new UserError('--top applies to a search result (a best.json), not to one expression');
      if (opts.detector && opts.to !== 'mmdet') throw new UserError('--detector applies to --to mmdet');
      if (opts.form && opts.to !== 'latex') throw new UserError('--form applies to --to latex');
      const result = search ? exportSearch(expr, opts) : exportExpression(expr, opts);
      process.stdout.write(writeExport(result));
    });
}
