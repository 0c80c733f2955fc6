import type { Command } from 'commander';
import { resolveLoss } from '../../symbolic/builtins.js';
import { isDomain, type Domain } from '../../symbolic/domains.js';
import { evaluate } from '../../symbolic/evaluate.js';
import { inputsFromJson, jsonNumber, outputShape } from '../../symbolic/inputs-json.js';
import { UserError } from '../errors.js';
import { readJson } from '../../util/fs.js';
import { domainOption } from '../options.js';

interface EvalOptions {
  domain?: Domain;
  input?: string;
  cases?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('eval')
    .description('evaluate an expression on inputs from a JSON file (float64, exactly the semantics of the language)')
    .argument('[expr]', 'expression or built-in name')
    .option('-d, --domain <domain>', 'multi | binary | reg', domainOption)
    .option('-i, --input <file>', 'JSON object keyed by input name: N×C arrays (multi, binary) or N arrays (reg)')
    .option('--cases <file>', 'evaluate every case of a file shaped like reference-values.json')
    .option('--json', 'print JSON; non-finite values as "NaN", "Infinity", "-Infinity"')
    .action((expr: string | undefined, opts: EvalOptions) => {
      if (opts.cases) {
        if (expr) throw new UserError('give either an expression with --input, or --cases, not both');
        runCases(opts.cases);
        return;
      }
      if (!expr) throw new UserError('missing expression (or use --cases FILE)');
      if (!opts.input) throw new UserError('missing --input FILE.json');
      const loss = resolveLoss(expr, { domain: opts.domain });
      const inputs = inputsFromJson(loss.domain, readJson(opts.input, 'input file'), 'input');
      const out = evaluate(loss.tree, loss.domain, inputs);
      const shape = outputShape(loss.domain, out);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ domain: loss.domain, shape, output: Array.from(out.data, jsonNumber) })}\n`);
        return;
      }
      const lines = [`domain ${loss.domain}, shape [${shape.join(', ')}]`];
      for (let r = 0; r < out.rows; r++) {
        lines.push(Array.from(out.data.subarray(r * out.cols, (r + 1) * out.cols), (v) => v.toPrecision(10)).join('  '));
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

function runCases(path: string): void {
  const file = readJson(path, 'cases file') as { cases?: unknown };
  if (!file || typeof file !== 'object' || !Array.isArray(file.cases)) throw new UserError(`cases file ${path} must be an object with a "cases" array`);
  const results = file.cases.map((c: unknown, k: number) => {
    try {
      if (!c || typeof c !== 'object') throw new UserError(`cases[${k}] is not an object`);
      const { domain, expr, inputs } = c as { domain?: unknown; expr?: unknown; inputs?: unknown };
      if (typeof expr !== 'string') throw new UserError(`cases[${k}].expr must be a string`);
      if (domain !== undefined && (typeof domain !== 'string' || !isDomain(domain))) throw new UserError(`cases[${k}].domain must be multi, binary or reg`);
      const loss = resolveLoss(expr, { domain: domain as Domain | undefined });
      const out = evaluate(loss.tree, loss.domain, inputsFromJson(loss.domain, inputs, `cases[${k}].inputs`));
      return { shape: outputShape(loss.domain, out), output: Array.from(out.data, jsonNumber) };
    } catch (e) {
      return { error: (e as Error).message };
    }
  });
  process.stdout.write(`${JSON.stringify({ results })}\n`);
}
