import type { Command } from 'commander';
import { toInfix } from '../../render/infix.js';
import { toPrefix } from '../../render/prefix.js';
import { toTreeView } from '../../render/tree.js';
import { resolveLoss } from '../../symbolic/builtins.js';
import type { Domain } from '../../symbolic/domains.js';
import { depth, size } from '../../symbolic/node.js';
import { toJsonTree } from '../../symbolic/tree-json.js';
import { choice, domainOption } from '../options.js';

const FORMATS = ['prefix', 'infix', 'tree', 'json'] as const;

export function register(program: Command): void {
  program
    .command('parse')
    .description('parse an expression (prefix or infix, or a built-in name) and print it')
    .argument('<expr>', 'expression, e.g. "Neg(Log(Sig(X)))" or "1 - i/u", or a built-in name such as autoloss-b-reg')
    .option('-d, --domain <domain>', 'multi | binary | reg (inferred from the inputs when absent)', domainOption)
    .option('-t, --to <format>', 'prefix | infix | tree | json', choice(FORMATS), 'prefix')
    .action((expr: string, opts: { domain?: Domain; to: (typeof FORMATS)[number] }) => {
      const loss = resolveLoss(expr, { domain: opts.domain });
      const out =
        opts.to === 'prefix'
          ? toPrefix(loss.tree)
          : opts.to === 'infix'
            ? toInfix(loss.tree, loss.domain)
            : opts.to === 'tree'
              ? toTreeView(loss.tree)
              : JSON.stringify({
                  domain: loss.domain,
                  syntax: loss.syntax,
                  prefix: toPrefix(loss.tree),
                  infix: toInfix(loss.tree, loss.domain),
                  size: size(loss.tree),
                  depth: depth(loss.tree),
                  tree: toJsonTree(loss.tree),
                });
      process.stdout.write(`${out}\n`);
    });
}
