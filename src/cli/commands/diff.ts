import type { Command } from 'commander';
import { DOMAINS, type Domain, type InputName } from '../../symbolic/domains.js';
import { UserError } from '../errors.js';
import { choice, domainOption } from '../options.js';

const TARGETS = ['infix', 'prefix', 'latex', 'json'] as const;

interface DiffOptions {
  domain?: Domain;
  wrt: string;
  to: (typeof TARGETS)[number];
  simplify: boolean;
}

/** The input named `name` in prefix (U, NY) or infix (u, ny, w) spelling. */
function inputNamed(name: string, domain: Domain): InputName {
  const spec = DOMAINS[domain].inputs.find((i) => i.name === name || i.infix === name);
  if (!spec) {
    const names = DOMAINS[domain].inputs.map((i) => `${i.name} (${i.infix})`).join(', ');
    throw new UserError(`--wrt ${name}: not an input of domain ${domain}; its inputs are ${names}`);
  }
  return spec.name;
}

export function register(program: Command): void {
  program
    .command('diff')
    .description('exact partial derivative of an expression (the gradient of its sum over the batch), simplified')
    .argument('<expr>', 'expression (prefix or infix) or built-in name')
    .requiredOption('-w, --wrt <input>', 'the input to differentiate by (U or u, X or x, Z or w, …)')
    .option('-d, --domain <domain>', 'multi | binary | reg (inferred from the inputs when absent)', domainOption)
    .option('-t, --to <format>', 'infix | prefix | latex | json', choice(TARGETS), 'infix')
    .option('--no-simplify', 'print the derivative as built, only lightly simplified')
    .action(async (expr: string, opts: DiffOptions) => {
      const { resolveLoss } = await import('../../symbolic/builtins.js');
      const { derivative } = await import('../../symbolic/derivative.js');
      const { simplify } = await import('../../symbolic/simplify/simplify.js');
      const { toInfix } = await import('../../render/infix.js');
      const { toPrefix } = await import('../../render/prefix.js');
      const loss = resolveLoss(expr, { domain: opts.domain });
      const wrt = inputNamed(opts.wrt, loss.domain);
      const raw = derivative(loss.tree, wrt, loss.domain);
      const s = opts.simplify ? simplify(raw, loss.domain) : { tree: raw, conditions: [] as readonly string[] };
      let out: string;
      if (opts.to === 'json') {
        out = JSON.stringify({ domain: loss.domain, wrt, infix: toInfix(s.tree, loss.domain), prefix: toPrefix(s.tree), conditions: s.conditions });
      } else if (opts.to === 'latex') {
        const { toLatex } = await import('../../render/latex.js');
        out = toLatex(s.tree, loss.domain);
      } else {
        out = opts.to === 'prefix' ? toPrefix(s.tree) : toInfix(s.tree, loss.domain);
      }
      process.stdout.write(`${out}\n`);
    });
}
