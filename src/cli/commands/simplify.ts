import type { Command } from 'commander';
import type { Domain } from '../../symbolic/domains.js';
import { UserError } from '../errors.js';
import { readJson } from '../../util/fs.js';
import { choice, domainOption } from '../options.js';

const FORMS = ['simplified', 'rational', 'canonical'] as const;
const TARGETS = ['infix', 'prefix', 'latex', 'json'] as const;

interface SimplifyOptions {
  domain?: Domain;
  form: (typeof FORMS)[number];
  to?: (typeof TARGETS)[number];
  cases?: string;
  json?: boolean;
  explain?: boolean;
}

export function register(program: Command): void {
  program
    .command('simplify')
    .description('simplify an expression, or give its exact rational normal form or canonical form (with a stable hash)')
    .argument('[expr]', 'expression (prefix or infix) or built-in name')
    .option('-d, --domain <domain>', 'multi | binary | reg (inferred from the inputs when absent)', domainOption)
    .option('-f, --form <form>', 'simplified | rational | canonical', choice(FORMS), 'simplified')
    .option('-t, --to <format>', 'infix | prefix | latex | json (default infix)', choice(TARGETS))
    .option('--cases <file>', 'every case of a file shaped like rational-forms.json ({"cases":[{"expr": …}]}); prints {"results": […]}')
    .option('--json', 'same as --to json')
    .option('--explain', 'also print the rules applied and the side conditions')
    .action(async (expr: string | undefined, opts: SimplifyOptions) => {
      const { resolveLoss } = await import('../../symbolic/builtins.js');
      const { computeForm, printForm, formJson } = await import('../simplify-forms.js');
      const to = opts.json ? 'json' : (opts.to ?? 'infix');
      if (opts.cases) {
        if (expr) throw new UserError('give either an expression or --cases FILE, not both');
        const file = readJson(opts.cases, 'cases file') as { cases?: unknown };
        if (!file || typeof file !== 'object' || !Array.isArray(file.cases)) throw new UserError(`cases file ${opts.cases} must be an object with a "cases" array`);
        const results = file.cases.map((c: unknown, k: number) => {
          try {
            if (!c || typeof c !== 'object') throw new UserError(`cases[${k}] is not an object`);
            const { expr: e, domain } = c as { expr?: unknown; domain?: unknown };
            if (typeof e !== 'string') throw new UserError(`cases[${k}].expr must be a string`);
            if (domain !== undefined && (typeof domain !== 'string' || !['multi', 'binary', 'reg'].includes(domain))) throw new UserError(`cases[${k}].domain must be multi, binary or reg`);
            const loss = resolveLoss(e, { domain: (domain as Domain | undefined) ?? opts.domain });
            return formJson(computeForm(loss.tree, loss.domain, opts.form), loss.domain, opts.form);
          } catch (err) {
            return { error: (err as Error).message };
          }
        });
        process.stdout.write(`${JSON.stringify({ results })}\n`);
        return;
      }
      if (!expr) throw new UserError('missing expression (or use --cases FILE)');
      const loss = resolveLoss(expr, { domain: opts.domain });
      let r;
      try {
        r = computeForm(loss.tree, loss.domain, opts.form);
      } catch (err) {
        const name = (err as Error).name;
        if (name === 'ZeroDivision' || name === 'FormTooLarge') throw new UserError(`no rational form: ${(err as Error).message}`);
        throw err;
      }
      const lines = [await printForm(r, loss.domain, opts.form, to)];
      if (opts.explain && to !== 'json') {
        if (r.rules.length) lines.push(`rules: ${r.rules.join(', ')}`);
        if (r.conditions.length) lines.push(`where ${r.conditions.join(', ')}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
