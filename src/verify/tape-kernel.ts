/**
 * A batch interpreter for kernel plans: each node of the value-and-gradient
 * DAG is computed over the whole batch by one shared, already-optimised loop
 * per operator, with the registry's guarded scalar `value` functions (the
 * ones `evaluate` uses, so values match it exactly).
 *
 * Why beside the generated-code kernel of `compile-js.ts`: verification looks
 * at each candidate once, over a few hundred rows. Generated code pays for
 * `new Function`, for V8 compiling it, and runs in V8's interpreter until it
 * is hot, which is most of a one-shot check; these loops are hot from the
 * first candidate. Generated code wins when one loss runs many times (the
 * simulation, training).
 */
import type { CompiledKernel, KernelOutput, NumArray } from '../symbolic/compile-js.js';
import { EvalError } from '../symbolic/evaluate.js';
import type { LoweredPlan, Shape } from '../symbolic/lower.js';
import type { OpSpec, Strided } from '../symbolic/op-spec.js';

/**
 * Intermediate values by slot, reused from run to run: a run fills what it
 * reads before reading it and copies its results out, so kernels whose runs
 * do not interleave can share one workspace (verification's candidates do)
 * instead of allocating per candidate, which the garbage collector would pay
 * for. Not for kernels running concurrently.
 */
export class TapeWorkspace {
  private readonly slots: Float64Array[] = [];
  private ones = new Float64Array(0);

  /** Slot `slot`'s buffer, of at least `n` values. */
  buffer(slot: number, n: number): Float64Array {
    const b = this.slots[slot];
    if (b && b.length >= n) return b;
    const fresh = new Float64Array(Math.max(n, 2 * (b?.length ?? 0), 16));
    this.slots[slot] = fresh;
    return fresh;
  }

  /** A read-only array of at least `n` ones. */
  onesOf(n: number): Float64Array {
    if (this.ones.length < n) this.ones = new Float64Array(Math.max(n, 2 * this.ones.length)).fill(1);
    return this.ones;
  }
}

/**
 * A kernel that interprets `plan` over batches, with its intermediate values
 * in `workspace` (its own unless one is given).
 *
 * @example
 * const k = tapeKernel(lower(parse('Div(I,U)').tree, 'reg', { wrt: ['I'] }));
 * k.run({ I: Float64Array.of(1), U: Float64Array.of(4) }, 1, 1, { value, grads: { I: gI } }); // value [0.25], gI [0.25]
 */
export function tapeKernel(plan: LoweredPlan, workspace: TapeWorkspace = new TapeWorkspace()): CompiledKernel {
  const { steps, root } = plan;
  const opCount = steps.filter((s) => s.kind === 'op').length;
  return {
    domain: plan.domain,
    wrt: plan.wrt,
    inputs: plan.used,
    // It computes every softmax itself.
    softmaxOf: [],
    source: `batch interpreter: ${opCount} steps`,
    run(inputs, rows, cols, out: KernelOutput, seed?: NumArray) {
      if (!plan.classAxis && cols !== 1) throw new EvalError(`domain ${plan.domain} has no class axis: cols must be 1, got ${cols}`);
      const n = rows * cols;
      const bufs: NumArray[] = new Array<NumArray>(steps.length);
      steps.forEach((s, j) => {
        switch (s.kind) {
          case 'const': {
            const b = workspace.buffer(j, 1);
            b[0] = s.value;
            bufs[j] = b;
            break;
          }
          case 'input': {
            const a = inputs[s.name];
            if (!a) throw new EvalError(`input ${s.name} is used but not given`);
            if (a.length < n) throw new EvalError(`input ${s.name} has ${a.length} values, ${rows}×${cols} needs ${n}`);
            bufs[j] = a;
            break;
          }
          case 'seed':
            bufs[j] = seed ?? workspace.onesOf(n);
            break;
          case 'ones':
            bufs[j] = workspace.onesOf(n);
            break;
          case 'op': {
            const o = workspace.buffer(j, s.shape === 2 ? n : s.shape === 1 ? rows : 1);
            bufs[j] = o;
            const { spec, args } = s;
            if (spec.rows) axisRows(o, spec.rows, args.map((a) => bufs[a]!), args.map((a) => steps[a]!.shape), rows, cols);
            else {
              const b = args[1] ?? args[0]!;
              map(o, s.shape, spec.value, bufs[args[0]!]!, steps[args[0]!]!.shape, bufs[b]!, steps[b]!.shape, rows, cols);
            }
          }
        }
      });
      if (out.value) broadcast(out.value, bufs[root]!, steps[root]!.shape, rows, cols);
      plan.wrt.forEach((w, j) => {
        const target = out.grads?.[w];
        if (!target) return;
        const g = plan.grads[j]!;
        if (g < 0) target.fill(0, 0, n);
        else broadcast(target, bufs[g]!, steps[g]!.shape, rows, cols);
      });
    },
  };
}

/** Row and class strides of a value of a shape inside a rows×cols batch. */
const rowStride = (s: Shape, cols: number): number => (s === 2 ? cols : s === 1 ? 1 : 0);
const colStride = (s: Shape): number => (s === 2 ? 1 : 0);

function map(o: Float64Array, s: Shape, f: (a: number, b: number) => number, a: NumArray, sa: Shape, b: NumArray, sb: Shape, rows: number, cols: number): void {
  const R = s === 0 ? 1 : rows;
  const C = s === 2 ? cols : 1;
  const ar = rowStride(sa, cols);
  const ac = colStride(sa);
  const br = rowStride(sb, cols);
  const bc = colStride(sb);
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) o[r * C + c] = f(a[r * ar + c * ac]!, b[r * br + c * bc]!);
  }
}

/**
 * An axis op through its registry entry's row semantics (the evaluator runs
 * the same function): over the batch's rows, and its classes when an
 * argument has them; a value without a row or class axis broadcasts.
 */
function axisRows(o: Float64Array, f: NonNullable<OpSpec['rows']>, args: readonly NumArray[], shapes: readonly Shape[], rows: number, cols: number): void {
  const R = shapes.every((s) => s === 0) ? 1 : rows;
  const C = shapes.some((s) => s === 2) ? cols : 1;
  const strided = args.map((data, k): Strided => ({ data, rs: rowStride(shapes[k]!, cols), cs: colStride(shapes[k]!) }));
  f(o, R, C, strided[0]!, strided[1]);
}

function broadcast(target: Float64Array, v: NumArray, s: Shape, rows: number, cols: number): void {
  const rs = rowStride(s, cols);
  const cs = colStride(s);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) target[r * cols + c] = v[r * rs + c * cs]!;
}
