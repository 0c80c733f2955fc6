import type { Command } from 'commander';
import type { Domain } from '../../symbolic/domains.js';
import { choice, domainOption } from '../options.js';

const FORMATS = ['html', 'tex'] as const;

interface ReportFlags {
  out: string;
  domain?: Domain;
  verify: boolean;
  to: (typeof FORMATS)[number];
  compare?: string;
}

export function register(program: Command): void {
  program
    .command('report')
    .description('write a report on losses: HTML (KaTeX, inline SVG plots, no network) or a standalone LaTeX document for a paper; each loss as given, simplified, its rational form, the verification verdicts, and a training comparison when one is given')
    .argument('[expr...]', 'expressions or built-in names; default the four published losses')
    .option('--to <format>', `${FORMATS.join(' | ')}: index.html with katex/, or report.tex (compiles with pdflatex)`, choice(FORMATS), 'html')
    .option('--out <dir>', 'output folder', 'out/report')
    .option('-d, --domain <domain>', 'multi | binary | reg (when the inputs do not fix it)', domainOption)
    .option('--no-verify', 'leave out the verification verdicts')
    .option('--compare <path>', "a training comparison to include: compare.json or its folder (autoloss compare --out, npm start's out/training)")
    .action(async (exprs: string[], opts: ReportFlags) => {
      const { readCompareJson } = await import('../../train/compare-json.js');
      const result = opts.compare === undefined ? undefined : readCompareJson(opts.compare);
      if (opts.to === 'tex') {
        const { writeTexReport } = await import('../../render/report/tex.js');
        const { TABLE_STATS } = await import('../../metrics/coco-stats.js');
        const comparison = result && { result, columns: TABLE_STATS, source: opts.compare! };
        process.stdout.write(`${writeTexReport(exprs, opts.out, { domain: opts.domain, verify: opts.verify, ...(comparison ? { comparison } : {}) })}\n`);
        return;
      }
      const { writeReport } = await import('../../render/report/report.js');
      const { compareSectionHtml } = await import('../../train/compare.js');
      const appendix = result ? [{ id: 'training', title: `Training comparison: ${result.detector} on ${result.data}`, html: compareSectionHtml(result) }] : [];
      const path = writeReport(exprs, opts.out, { domain: opts.domain, verify: opts.verify, appendix });
      process.stdout.write(`${path}\n`);
    });
}
