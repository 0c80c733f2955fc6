import type { Command } from 'commander';
import type { Domain } from '../../symbolic/domains.js';
import { domainOption, choice } from '../options.js';
import { LATEX_FORMS, type LatexForm } from '../../render/forms.js';

const TARGETS = ['latex', 'html', 'mathml', 'tex-table', 'markdown'] as const;
type Target = (typeof TARGETS)[number];

interface RenderOptions {
  to: Target;
  domain?: Domain;
  simplified?: boolean;
  rational?: boolean;
  form?: LatexForm;
}

export function register(program: Command): void {
  program
    .command('render')
    .description("print expressions in the paper's notation: LaTeX, KaTeX HTML or MathML, a booktabs table, a Markdown table")
    .argument('<expr...>', 'expressions or built-in names (autoloss-a-cls, …, ce, focal, iou, giou)')
    .option('--to <target>', `one of ${TARGETS.join(', ')}`, choice(TARGETS), 'latex')
    .option('-d, --domain <domain>', 'multi | binary | reg (when the inputs do not fix it)', domainOption)
    .option('--simplified', 'print the simplified expression instead of the tree as written')
    .option('--rational', 'print the reduced rational form (rational functions of the inputs only)')
    .option('--form <form>', `${LATEX_FORMS.join(' | ')}: the tree as written, simplified, or the reduced rational form (--simplified and --rational are shorthands)`, choice(LATEX_FORMS))
    .action(async (exprs: string[], opts: RenderOptions) => {
      const { renderExpressions } = await import('../../render/render-command.js');
      process.stdout.write(await renderExpressions(exprs, opts));
    });
}
