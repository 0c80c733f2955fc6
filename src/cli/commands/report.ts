import type { Command } from 'commander';
import type { Domain } from '../../symbolic/domains.js';
import { domainOption } from '../options.js';

export function register(program: Command): void {
  program
    .command('report')
    .description('write an HTML report (KaTeX, inline SVG plots, no network): each loss as given, simplified, rational form, derivatives, loss and gradient plots against the published losses and baselines')
    .argument('[expr...]', 'expressions or built-in names; default the four published losses')
    .option('--out <dir>', 'output folder (index.html and katex/ are written there)', 'out/report')
    .option('-d, --domain <domain>', 'multi | binary | reg (when the inputs do not fix it)', domainOption)
    .option('--no-verify', 'leave out the verification verdicts')
    .action(async (exprs: string[], opts: { out: string; domain?: Domain; verify: boolean }) => {
      const { writeReport } = await import('../../render/report/report.js');
      const path = writeReport(exprs, opts.out, { domain: opts.domain, verify: opts.verify });
      process.stdout.write(`${path}\n`);
    });
}
