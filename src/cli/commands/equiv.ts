import type { Command } from 'commander';
import type { Domain } from '../../symbolic/domains.js';
import { UserError } from '../errors.js';
import { domainOption, nonNegativeInt, positiveInt } from '../options.js';

/** Exit codes of `autoloss equiv`: 0 proven equal, 1 proven different, 3 unknown (2 stays bad input). */
const EQUIV_EXIT = { equal: 0, different: 1, unknown: 3 } as const;

interface EquivOptions {
  domain?: Domain;
  points: number;
  seed?: number;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('equiv')
    .description('decide whether two expressions are the same loss: exit 0 proven equal, 1 different (with a witness point), 3 unknown')
    .argument('<a>', 'first expression or built-in name')
    .argument('<b>', 'second expression or built-in name')
    .option('-d, --domain <domain>', 'multi | binary | reg (inferred from the inputs when absent)', domainOption)
    .option('-n, --points <n>', 'random valid points to search for a witness', positiveInt, 200)
    .option('--seed <n>', 'seed of the random points (default fixed)', nonNegativeInt)
    .option('--json', 'print the verdict as JSON')
    .action(async (a: string, b: string, opts: EquivOptions) => {
      const { resolveLoss } = await import('../../symbolic/builtins.js');
      const { equivalent } = await import('../../symbolic/equivalence.js');
      const { makeRng: seededUniform } = await import('../../util/rng.js');
      const la = resolveLoss(a, { domain: opts.domain });
      const lb = resolveLoss(b, { domain: opts.domain ?? la.domain });
      if (la.domain !== lb.domain) throw new UserError(`the expressions are in different domains: ${la.domain} and ${lb.domain}`);
      const r = equivalent(la.tree, lb.tree, la.domain, { points: opts.points, ...(opts.seed !== undefined ? { rng: seededUniform(opts.seed) } : {}) });
      if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else if (r.verdict === 'equal') process.stdout.write(`equal (proof: ${r.proof.replace(/-/g, ' ')})\n`);
      else if (r.verdict === 'unknown') process.stdout.write(`unknown: equal at ${r.points} random valid points, but not proven\n`);
      else {
        const at = Object.entries(r.witness.inputs).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
        process.stdout.write(`different: at ${at}\n  a = ${JSON.stringify(r.witness.values[0])}\n  b = ${JSON.stringify(r.witness.values[1])}\n`);
      }
      process.exitCode = EQUIV_EXIT[r.verdict];
    });
}
