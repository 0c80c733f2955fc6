import type { Command } from 'commander';
import type { Domain } from '../../symbolic/domains.js';
import { TF_PACKAGES, type TfPackage } from '../../export/tfjs.js';
import { choice, domainOption } from '../options.js';

const TARGETS = ['pytorch', 'tfjs'] as const;

interface ExportCliOptions {
  to: (typeof TARGETS)[number];
  domain?: Domain;
  name?: string;
  tfPackage?: TfPackage;
}

export function register(program: Command): void {
  program
    .command('export')
    .description('print a self-contained PyTorch nn.Module or tfjs TypeScript function computing a loss, with the reference guards')
    .argument('<expr>', 'expression or built-in name')
    .requiredOption('--to <target>', `one of ${TARGETS.join(', ')}`, choice(TARGETS))
    .option('-d, --domain <domain>', 'multi | binary | reg (when the inputs do not fix it)', domainOption)
    .option('--tf-package <package>', `tfjs only: the package to import tf from (${TF_PACKAGES.join(', ')})`, choice(TF_PACKAGES))
    .option('--name <name>', 'class (PyTorch) or function (tfjs) name; default from the built-in name, or SearchedLoss')
    .action(async (expr: string, opts: ExportCliOptions) => {
      const { resolveLoss } = await import('../../symbolic/builtins.js');
      const { defaultClassName, lowerFirst } = await import('../../export/names.js');
      const loss = resolveLoss(expr, { domain: opts.domain });
      const cls = opts.name ?? defaultClassName(loss.builtin);
      if (opts.to === 'pytorch') {
        const { toPytorch } = await import('../../export/pytorch.js');
        process.stdout.write(toPytorch(loss.tree, loss.domain, { name: cls }));
      } else {
        const { toTfjs } = await import('../../export/tfjs.js');
        process.stdout.write(toTfjs(loss.tree, loss.domain, { name: opts.name ?? lowerFirst(cls), ...(opts.tfPackage ? { tfPackage: opts.tfPackage } : {}) }));
      }
    });
}
