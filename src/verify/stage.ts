/**
 * The verification stage of `npm start`: each published loss and baseline
 * with its property verdicts, counterexamples and simulation result.
 */
import { BUILTIN_LOSSES } from '../symbolic/builtins.js';
import { formatVerdicts } from './format.js';
import { PointCache, verifyLoss, type LossVerdict, type VerifyLossOptions } from './verify-loss.js';

/** Verdicts of every built-in loss (the four published losses and the baselines). */
export function verifyBuiltins(options: VerifyLossOptions = {}): LossVerdict[] {
  const points = options.points ?? new PointCache();
  return BUILTIN_LOSSES.map((b) => verifyLoss(b.name, { ...options, points }));
}

/**
 * Prints the verdicts of the published losses and baselines, with the
 * simulation, then a failing loss (`Div(I,U)`) with its counterexamples, and
 * returns all of them.
 *
 * @example
 * await verifyStage({ quick: true });
 */
export async function verifyStage(opts: { quick?: boolean; write?: (s: string) => void } = {}): Promise<LossVerdict[]> {
  const write = opts.write ?? ((s: string) => void process.stdout.write(s));
  write('\n== Verification: convergence properties and optimisation simulation ==\n');
  const verdicts = verifyBuiltins({ simulate: true, ...(opts.quick ? { numRuns: 100 } : {}) });
  write(formatVerdicts(verdicts));
  write('\nFor contrast, a loss that rewards a lower IoU, with its shrunk counterexamples:\n');
  const contrast = verifyLoss('Div(I,U)', { simulate: true, ...(opts.quick ? { numRuns: 100 } : {}) });
  write(formatVerdicts([contrast]));
  return [...verdicts, contrast];
}
