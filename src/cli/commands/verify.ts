import { InvalidArgumentError, type Command } from 'commander';
import { BUILTIN_LOSSES } from '../../symbolic/builtins.js';
import type { Domain } from '../../symbolic/domains.js';
import { domainOption, finiteNumber, nonNegativeInt, positiveInt } from '../options.js';

interface VerifyCliOptions {
  domain?: Domain;
  properties?: string[];
  simulate?: boolean;
  json?: boolean;
  runs?: number;
  seed?: number;
  steps?: number;
  threshold?: number;
  logitRange?: number;
  shrink?: boolean;
}

const PROPERTY_LIST = 'finite, monotone-in-iou, descent-toward-target, gradient-without-overlap, negatives-push-down, positives-push-up, target-logit-up, other-logits-down';

function propertyList(v: string): string[] {
  const names = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const known = PROPERTY_LIST.split(', ');
  const bad = names.find((n) => !known.includes(n));
  if (bad !== undefined) throw new InvalidArgumentError(`unknown property '${bad}'; known: ${PROPERTY_LIST}`);
  if (names.length === 0) throw new InvalidArgumentError('expected a comma-separated list of properties');
  return names;
}

function positiveNumber(v: string): number {
  const n = finiteNumber(v);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number');
  return n;
}

export function register(program: Command): void {
  program
    .command('verify')
    .description('check convergence properties (and optionally an optimisation simulation) of losses; exit 0 when all pass, 1 when any fails')
    .argument('[expr...]', 'expressions or built-in names; default: the four published losses and the baselines')
    .option('-d, --domain <domain>', 'multi | binary | reg, for expressions whose inputs do not fix it', domainOption)
    .option('-p, --properties <list>', `comma-separated subset of: ${PROPERTY_LIST}`, propertyList)
    .option('--simulate', 'also optimise free predictions under each loss and score the metric improvement')
    .option('--json', 'print JSON: {"losses": [...verdicts], "pass": boolean}')
    .option('--runs <n>', 'points drawn per property (default 300)', positiveInt)
    .option('--seed <n>', 'seed of the drawn points (default 1)', nonNegativeInt)
    .option('--steps <n>', 'simulation steps (default 150)', positiveInt)
    .option('--threshold <x>', 'smallest metric improvement the simulation accepts (default 0.1)', finiteNumber)
    .option('--logit-range <x>', 'logits are drawn from [-x, x] (default 10)', positiveNumber)
    .option('--no-shrink', 'report the first failing point without shrinking it')
    .action(async (exprs: string[], opts: VerifyCliOptions) => {
      const { verifyLoss, formatVerdicts, PointCache } = await import('../../verify/index.js');
      const { resolveLoss } = await import('../../symbolic/builtins.js');
      const targets = exprs.length > 0 ? exprs : BUILTIN_LOSSES.map((b) => b.name);
      // Parse every loss first: a bad one is reported before any work is done.
      const losses = targets.map((t) => {
        const r = resolveLoss(t, exprs.length > 0 && opts.domain ? { domain: opts.domain } : {});
        return { tree: r.tree, domain: r.domain, builtin: r.builtin?.name };
      });
      const points = new PointCache();
      const verdicts = losses.map(({ tree, domain, builtin }) => {
        const v = verifyLoss(
          { tree, domain },
          {
            ...(opts.properties ? { properties: opts.properties as never } : {}),
            ...(opts.runs ? { numRuns: opts.runs } : {}),
            ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
            ...(opts.logitRange ? { logitRange: opts.logitRange } : {}),
            shrink: opts.shrink !== false,
            points,
            simulate: opts.simulate ? { ...(opts.steps ? { steps: opts.steps } : {}), ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}), ...(opts.seed !== undefined ? { seed: opts.seed } : {}) } : false,
          },
        );
        return builtin ? { ...v, name: builtin } : v;
      });
      const pass = verdicts.every((v) => v.verdict === 'pass');
      if (opts.json) process.stdout.write(`${JSON.stringify({ pass, losses: verdicts }, jsonSafe)}\n`);
      else process.stdout.write(`${formatVerdicts(verdicts)}\n${pass ? 'all pass' : `${verdicts.filter((v) => v.verdict === 'fail').length} of ${verdicts.length} fail`}\n`);
      if (!pass) process.exitCode = 1;
    });
}

/** Non-finite numbers as the strings "NaN", "Infinity", "-Infinity" (JSON has none). */
function jsonSafe(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

