/**
 * Batched float64 evaluation with exactly the numeric meaning of SEMANTICS.md:
 * the 1e-20 guards, the Exp clamp, Dot keeping the class axis, broadcasting,
 * and NaN/±Infinity where they arise. Never throws on numeric trouble; throws
 * EvalError on inputs of the wrong shape or an operator the shapes rule out.
 */
import { at, broadcastShape, broadcastTo, scalarBatch, type Batch } from './batch.js';
import { DOMAINS, type Domain, type InputName } from './domains.js';
import { lower } from './lower.js';
import type { Node } from './node.js';
import type { OpSpec, Strided } from './op-spec.js';
import { UserError } from '../util/errors.js';

export type { Batch } from './batch.js';
export type Inputs = Partial<Record<InputName, Batch>>;

/** Inputs of the wrong shape, or an operator the shapes rule out: the user's expression or data. */
export class EvalError extends UserError {
  override readonly name = 'EvalError';
}

/**
 * Evaluates `tree` on `inputs` and broadcasts the result to the domain's full
 * shape (N×C for classification, N for regression), as the fixtures record it.
 *
 * @example
 * evaluate(parse('Div(I,U)').tree, 'reg', { U: col([2, 4]), I: col([1, 1]) }) // data [0.5, 0.25]
 */
export function evaluate(tree: Node, domain: Domain, inputs: Inputs): Batch {
  const [rows, cols] = inputShape(domain, inputs);
  const out = evaluateRaw(tree, domain, inputs);
  if (out.rows !== 1 && out.rows !== rows) throw new EvalError(`result has ${out.rows} rows, inputs have ${rows}`);
  return broadcastTo(out, rows, cols);
}

/** The common N×C (or N×1) shape of the given inputs. */
function inputShape(domain: Domain, inputs: Inputs): [number, number] {
  let shape: [number, number] | undefined;
  let from = '';
  for (const spec of DOMAINS[domain].inputs) {
    const b = inputs[spec.name];
    if (!b) continue;
    if (!shape) {
      shape = [b.rows, b.cols];
      from = spec.name;
    } else if (b.rows !== shape[0] || b.cols !== shape[1]) {
      throw new EvalError(`input ${spec.name} is ${b.rows}×${b.cols} but ${from} is ${shape[0]}×${shape[1]}`);
    }
  }
  if (!shape) throw new EvalError(`no inputs given; domain ${domain} takes ${DOMAINS[domain].inputs.map((i) => i.name).join(', ')}`);
  return shape;
}

/**
 * Evaluates with natural shapes (Dot gives N×1, constants 1×1): the lowered
 * plan's value steps over batches, broadcasting as the shapes of the given
 * inputs allow.
 */
export function evaluateRaw(tree: Node, domain: Domain, inputs: Inputs): Batch {
  const plan = lower(tree, domain);
  const vals = new Array<Batch>(plan.steps.length);
  plan.steps.forEach((s, k) => {
    switch (s.kind) {
      case 'const':
        vals[k] = scalarBatch(s.value);
        break;
      case 'input': {
        const b = inputs[s.name];
        if (!b) throw new EvalError(`input ${s.name} is used but not given`);
        vals[k] = b;
        break;
      }
      case 'op': {
        const { spec } = s;
        const args = s.args.map((j) => vals[j]!);
        if (spec.rows) vals[k] = axisRows(spec.rows, spec.axis === 'dot', args, spec.name);
        else if (spec.arity === 1) vals[k] = map1(args[0]!, spec.value);
        else vals[k] = map2(args[0]!, args[1]!, spec.value, spec.name);
        break;
      }
      default:
        throw new EvalError(`a value plan has no ${s.kind} step`);
    }
  });
  return vals[plan.root]!;
}

function map1(a: Batch, f: (x: number, y: number) => number): Batch {
  const data = new Float64Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = f(a.data[i]!, 0);
  return { rows: a.rows, cols: a.cols, data };
}

function map2(a: Batch, b: Batch, f: (x: number, y: number) => number, name: string): Batch {
  const shape = broadcastShape(a, b);
  if (!shape) throw new EvalError(`${name}: shapes ${a.rows}×${a.cols} and ${b.rows}×${b.cols} do not broadcast`);
  const [rows, cols] = shape;
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = f(at(a, r, c), at(b, r, c));
  return { rows, cols, data };
}

/**
 * An axis op through its registry entry's row semantics, on the arguments
 * broadcast to their common shape: `reduces` (Dot) gives rows × 1.
 */
function axisRows(rows: NonNullable<OpSpec['rows']>, reduces: boolean, args: readonly Batch[], name: string): Batch {
  let shape: [number, number] | undefined = [args[0]!.rows, args[0]!.cols];
  for (const b of args.slice(1)) shape = shape && broadcastShape({ rows: shape[0], cols: shape[1], data: new Float64Array(0) }, b);
  if (!shape) throw new EvalError(`${name}: shapes ${args.map((b) => `${b.rows}×${b.cols}`).join(' and ')} do not broadcast`);
  const [R, C] = shape;
  const strided = args.map((b): Strided => ({ data: b.data, rs: b.rows === 1 ? 0 : b.cols, cs: b.cols === 1 ? 0 : 1 }));
  const data = new Float64Array(reduces ? R : R * C);
  rows(data, R, C, strided[0]!, strided[1]);
  return { rows: R, cols: reduces ? 1 : C, data };
}
