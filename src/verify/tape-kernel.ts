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
import type { CompiledKernel, KernelOutput, KernelPlan, NumArray, Shape } from '../symbolic/compile-js.js';
import { EvalError } from '../symbolic/evaluate.js';
import type { Node } from '../symbolic/node.js';
import { toNumber } from '../symbolic/rational.js';
import type { OpSpec, Strided } from '../symbolic/op-spec.js';
import { NAMED_CONSTANTS, opSpec } from '../symbolic/registry.js';

type Step =
  | { readonly kind: 'map'; readonly out: number; readonly shape: Shape; readonly f: (a: number, b: number) => number; readonly a: number; readonly b: number }
  | { readonly kind: 'rows'; readonly out: number; readonly shape: Shape; readonly f: NonNullable<OpSpec['rows']>; readonly args: readonly number[] };

interface Slot {
  readonly shape: Shape;
  /** Constants: their value; inputs and the seed: filled at run time. */
  readonly constant?: number;
  readonly input?: string;
  readonly seed?: boolean;
  readonly ones?: boolean;
}

/**
 * A kernel that interprets `plan` over batches.
 *
 * @example
 * const k = tapeKernel(planKernel(parse('Div(I,U)').tree, 'reg', { wrt: ['I'] }));
 * k.run({ I: Float64Array.of(1), U: Float64Array.of(4) }, 1, 1, { value, grads: { I: gI } }); // value [0.25], gI [0.25]
 */
export function tapeKernel(plan: KernelPlan): CompiledKernel {
  const slots: Slot[] = [];
  const index = new Map<Node, number>();
  const steps: Step[] = [];
  const slotOf = (n: Node): number => {
    const hit = index.get(n);
    if (hit !== undefined) return hit;
    let slot: Slot;
    if (n.kind === 'const') slot = { shape: 0, constant: toNumber(n.value) };
    else if (n.kind === 'named') slot = { shape: 0, constant: NAMED_CONSTANTS[n.name].value };
    else if (n.kind === 'input') slot = { shape: plan.shape(n), input: n.name };
    else if (n === plan.seed) slot = { shape: plan.shape(n), seed: true };
    else if (n === plan.ones) slot = { shape: plan.shape(n), ones: true };
    else if (n.kind === 'pattern') throw new EvalError(`pattern variable ?${n.name} cannot be evaluated`);
    else {
      const args = n.args.map(slotOf);
      const spec = opSpec(n.op);
      const out = slots.length;
      const shape = plan.shape(n);
      if (spec.rows) steps.push({ kind: 'rows', out, shape, f: spec.rows, args });
      else steps.push({ kind: 'map', out, shape, f: spec.value, a: args[0]!, b: args[1] ?? args[0]! });
      slot = { shape };
    }
    index.set(n, slots.length);
    slots.push(slot);
    return slots.length - 1;
  };
  const root = slotOf(plan.tree);
  const gradSlots = plan.grads.map((g) => (g ? slotOf(g) : -1));

  return {
    domain: plan.domain,
    wrt: plan.wrt,
    inputs: plan.used,
    source: `batch interpreter: ${steps.length} steps`,
    run(inputs, rows, cols, out: KernelOutput, seed?: NumArray) {
      if (!plan.classAxis && cols !== 1) throw new EvalError(`domain ${plan.domain} has no class axis: cols must be 1, got ${cols}`);
      const n = rows * cols;
      const bufs: NumArray[] = new Array<NumArray>(slots.length);
      for (let j = 0; j < slots.length; j++) {
        const s = slots[j]!;
        if (s.constant !== undefined) {
          const b = scratchBuffer(j, 1);
          b[0] = s.constant;
          bufs[j] = b;
        } else if (s.input) {
          const a = inputs[s.input as keyof typeof inputs];
          if (!a) throw new EvalError(`input ${s.input} is used but not given`);
          if (a.length < n) throw new EvalError(`input ${s.input} has ${a.length} values, ${rows}×${cols} needs ${n}`);
          bufs[j] = a;
        } else if (s.seed) {
          bufs[j] = seed ?? onesOf(n);
        } else if (s.ones) {
          bufs[j] = onesOf(n);
        } else {
          bufs[j] = scratchBuffer(j, s.shape === 2 ? n : s.shape === 1 ? rows : 1);
        }
      }
      for (const st of steps) {
        const o = bufs[st.out] as Float64Array;
        if (st.kind === 'map') map(o, st.shape, st.f, bufs[st.a]!, slots[st.a]!.shape, bufs[st.b]!, slots[st.b]!.shape, rows, cols);
        else axisRows(o, st.f, st.args.map((j) => bufs[j]!), st.args.map((j) => slots[j]!.shape), rows, cols);
      }
      if (out.value) broadcast(out.value, bufs[root]!, slots[root]!.shape, rows, cols);
      plan.wrt.forEach((w, j) => {
        const target = out.grads?.[w];
        if (!target) return;
        const s = gradSlots[j]!;
        if (s < 0) target.fill(0, 0, n);
        else broadcast(target, bufs[s]!, slots[s]!.shape, rows, cols);
      });
    },
  };
}

/**
 * Intermediate values, by slot number, shared by every tape kernel: a run
 * fills what it reads before reading it and copies its results out, and runs
 * do not interleave, so one set of growing buffers serves every candidate
 * instead of new ones per candidate (which the garbage collector would pay for).
 */
const scratch: Float64Array[] = [];
function scratchBuffer(slot: number, n: number): Float64Array {
  const b = scratch[slot];
  if (b && b.length >= n) return b;
  const fresh = new Float64Array(Math.max(n, 2 * (b?.length ?? 0), 16));
  scratch[slot] = fresh;
  return fresh;
}

let ones = new Float64Array(0);
function onesOf(n: number): Float64Array {
  if (ones.length < n) ones = new Float64Array(Math.max(n, 2 * ones.length)).fill(1);
  return ones;
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
