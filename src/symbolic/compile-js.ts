/**
 * Compiles a validated tree into a fast float64 JavaScript kernel that
 * computes, per sample row, the loss value and reverse-mode gradients with
 * respect to chosen inputs: code generated from the lowered plan
 * (`lower.ts`), which holds the value and its adjoints as SSA steps.
 *
 * Code comes from the registry only: each step's `code.js` template, and an
 * axis op's `code.jsRow` template where its argument has a class axis.
 * Nothing of a user's text reaches `new Function`: a tree's leaves are
 * inputs, exact constants printed as numbers, and π.
 *
 * One emitter, two loop forms. An elementwise plan (no axis op) is one flat
 * loop over all N×C values, every step a local `const`. Otherwise the loop
 * runs over rows; values with a class axis run in fused loops over the row's
 * classes, and axis ops break the fusion because they need the whole row.
 * Scalar steps (over constants only) are hoisted out of the loops.
 *
 * Conventions:
 * - Values are exactly `evaluate()`'s (the same guards: Div a/(b+1e-20),
 *   Log(a+1e-20), the Exp clamp at 88, the same summation order in Dot and
 *   Softmax); the tests pin this on every reference-values fixture.
 * - Gradients are those of the plan: ∂(Σ seed ⊙ value)/∂input with the value
 *   broadcast to the domain's full shape, seed defaulting to ones.
 */
import type { Domain, InputName } from './domains.js';
import { EvalError } from './evaluate.js';
import { lower, type LoweredPlan, type OpStep } from './lower.js';
import type { Node } from './node.js';
import * as M from './scalar-math.js';

/** Numeric arrays a kernel reads. */
export type NumArray = Float64Array | Float32Array;

export interface KernelOptions {
  /** Inputs to differentiate with respect to; default none. */
  readonly wrt?: readonly InputName[];
  /**
   * The seed is 1 everywhere, written into the code (`run` ignores its seed
   * argument): the gradients are the local ones, for callers that scale them
   * afterwards.
   */
  readonly unitSeed?: boolean;
}

export interface KernelOutput {
  /** rows×cols (rows for `reg`); filled with the broadcast value. */
  readonly value?: Float64Array;
  /** One rows×cols array per requested input; filled with ∂(Σ seed⊙value)/∂input. */
  readonly grads?: Partial<Record<InputName, Float64Array>>;
}

export interface CompiledKernel {
  readonly domain: Domain;
  readonly wrt: readonly InputName[];
  /** Inputs the tree reads; `run` needs exactly these. */
  readonly inputs: readonly InputName[];
  /** The generated source, for inspection. */
  readonly source: string;
  /**
   * Runs over `rows` samples of `cols` classes (cols is 1 for `reg`).
   * `seed` is the cotangent of the value (rows×cols), default ones.
   */
  run(inputs: Partial<Record<InputName, NumArray>>, rows: number, cols: number, out: KernelOutput, seed?: NumArray): void;
}


/**
 * Compiles `tree` (validated for `domain`) into a value-and-gradient kernel.
 *
 * @example
 * const k = compileKernel(parse('Sub(1,Div(I,U))').tree, 'reg', { wrt: ['I', 'U'] });
 * const value = new Float64Array(1), gI = new Float64Array(1), gU = new Float64Array(1);
 * k.run({ I: Float64Array.of(1), U: Float64Array.of(2), E: Float64Array.of(2) }, 1, 1, { value, grads: { I: gI, U: gU } });
 * // value [0.5], gI [-0.5], gU [0.25]
 */
export function compileKernel(tree: Node, domain: Domain, options: KernelOptions = {}): CompiledKernel {
  const plan = lower(tree, domain, options);
  const { wrt, used, classAxis } = plan;
  const source = emitKernel(plan, options.unitSeed ?? false);
  const fn = new Function('M', source) as (m: typeof M) => RunFn;
  const kernel = fn(M);
  let ones = new Float64Array(0);
  return {
    domain,
    wrt,
    inputs: used,
    source,
    run(inputs, rows, cols, out, seed) {
      if (!classAxis && cols !== 1) throw new EvalError(`domain ${domain} has no class axis: cols must be 1, got ${cols}`);
      const n = rows * cols;
      const args: NumArray[] = used.map((name) => {
        const a = inputs[name];
        if (!a) throw new EvalError(`input ${name} is used but not given`);
        if (a.length < n) throw new EvalError(`input ${name} has ${a.length} values, ${rows}×${cols} needs ${n}`);
        return a;
      });
      let g: NumArray | undefined = seed;
      if (!g && wrt.length > 0 && !options.unitSeed) {
        // The default cotangent, kept by the kernel for its next run.
        if (ones.length < n) ones = new Float64Array(n).fill(1);
        g = ones;
      }
      const gradOuts = wrt.map((w) => out.grads?.[w]);
      kernel(args, rows, cols, out.value, gradOuts, g);
    },
  };
}


type RunFn = (args: NumArray[], rows: number, cols: number, value: Float64Array | undefined, grads: (Float64Array | undefined)[], seed: NumArray | undefined) => void;

/**
 * The kernel's source, `kernel(args, rows, cols, value, grads, seed)`, from
 * a lowered plan: one `const tK = …` per step. `unitSeed` writes the seed as
 * the literal 1.
 */
function emitKernel(plan: LoweredPlan, unitSeed: boolean): string {
  const { steps, classAxis } = plan;
  const flat = plan.elementwise;
  const inputVar = new Map<InputName, string>(plan.used.map((u, k) => [u, `in${k}`]));
  // A full-shape leaf at the current element.
  const at = flat ? '[i]' : classAxis ? '[o + c]' : '[r]';
  const pre: string[] = [];
  const body: string[] = [];
  // Which class loop computed each per-class value; a value is read as its local inside that loop, else from its row buffer.
  const loopOf = new Map<number, number>();
  let currentLoop = -1;
  let loopCount = 0;
  const buffers: string[] = [];

  const ref = (k: number): string => {
    const s = steps[k]!;
    switch (s.kind) {
      case 'const':
        return num(s.value);
      case 'input':
        return `${inputVar.get(s.name)}${at}`;
      case 'seed':
        return unitSeed ? '1' : `seed${at}`;
      case 'ones':
        return '1';
      case 'op':
        return !flat && s.shape === 2 && loopOf.get(k) !== currentLoop ? `bt${k}[c]` : `t${k}`;
    }
  };
  const fill = (template: string, s: OpStep): string =>
    template.replace(/#1/g, ref(s.args[0]!)).replace(/#2/g, s.args[1] === undefined ? '' : ref(s.args[1]));
  /** An axis op over an argument with a class axis: it needs the whole row. */
  const rowOp = (s: OpStep): boolean => s.spec.code.jsRow !== undefined && s.args.some((a) => steps[a]!.shape === 2);
  const isOp = (k: number): boolean => steps[k]!.kind === 'op';
  const op = (k: number): OpStep => steps[k] as OpStep;
  // A function call of one argument over an input, or over another such step, keeps its last
  // argument and value: the classification domains' targets repeat along rows and columns
  // (Z across a row, PY and NY mostly 0 and 1), so Sin(Z) or Sig(PY) is computed once per run
  // of equal arguments instead of per element. Same function, same argument: the same value
  // (zeros compared with their sign, NaN never reused).
  const memo = new Set<number>();
  const memoLocals: string[] = [];
  const stepCode = (k: number): string => {
    const s = op(k);
    const a = s.args[0]!;
    if (s.args.length !== 1 || !(steps[a]!.kind === 'input' || memo.has(a)) || !/[\w.]\(/.test(s.spec.code.js)) return `const t${k} = ${fill(s.spec.code.js, s)};`;
    memo.add(k);
    memoLocals.push(`let ma${k} = NaN, mv${k} = NaN;`);
    const arg = `a${k}`;
    return `const ${arg} = ${ref(a)}; if (${arg} !== ma${k} || (${arg} === 0 && 1 / ${arg} !== 1 / ma${k})) { ma${k} = ${arg}; mv${k} = ${s.spec.code.js.replace(/#1/g, arg)}; } const t${k} = mv${k};`;
  };

  // The kernel's opening, shared by the flat and the row form: hoisted scalars, the signature,
  // the inputs and the reused calls' state.
  const header = (): string[] => [
    '"use strict";',
    ...pre,
    `return function kernel(args, rows, cols, value, grads${unitSeed ? '' : ', seed'}) {`,
    ...plan.used.map((u, k) => `const ${inputVar.get(u)} = args[${k}];`),
    ...memoLocals,
  ];

  // Scalars (ops over constants only) are computed once, outside the kernel.
  for (let k = 0; k < steps.length; k++) if (isOp(k) && steps[k]!.shape === 0) pre.push(`const t${k} = ${fill(op(k).spec.code.js, op(k))};`);
  const pending = steps.flatMap((s, k) => (s.kind === 'op' && s.shape > 0 ? [k] : []));

  if (flat) {
    // Every value is per element: one loop over all of them.
    for (const k of pending) body.push(stepCode(k));
    const writes = [`if (value) value[i] = ${ref(plan.root)};`];
    plan.grads.forEach((g, j) => writes.push(`if (grads[${j}]) grads[${j}][i] = ${g < 0 ? '0' : ref(g)};`));
    return [
      ...header(),
      'const n = rows * cols;',
      'for (let i = 0; i < n; i++) {',
      ...body,
      ...writes,
      '}',
      '};',
    ].join('\n');
  }

  const closeLoop = (): void => {
    if (currentLoop >= 0) body.push('}');
    currentLoop = -1;
  };
  // List scheduling: keep adding per-class elementwise steps to the open class loop while any is ready.
  const done = new Set<number>();
  const ready = (k: number): boolean => op(k).args.every((a) => !isOp(a) || steps[a]!.shape === 0 || done.has(a));
  const inLoop = (k: number): boolean => steps[k]!.shape === 2 && !rowOp(op(k)) && ready(k);
  while (pending.length > 0) {
    let i = -1;
    if (currentLoop >= 0) i = pending.findIndex(inLoop);
    if (i < 0) {
      closeLoop();
      i = pending.findIndex((k) => steps[k]!.shape === 1 && !rowOp(op(k)) && ready(k));
      if (i < 0) i = pending.findIndex(inLoop);
      if (i < 0) i = pending.findIndex(ready);
    }
    const k = pending.splice(i, 1)[0]!;
    const s = op(k);
    if (rowOp(s)) {
      // A reducing op declares its row value; a class-keeping one fills its row buffer.
      const out = s.shape === 2 ? `bt${k}` : `t${k}`;
      body.push(fill(s.spec.code.jsRow!, s).replace(/#o/g, out).replace(/#t/g, `r${k}`));
      if (s.shape === 2) {
        buffers.push(`bt${k}`);
        loopOf.set(k, -2);
      }
    } else if (s.shape === 1) {
      body.push(`const t${k} = ${fill(s.spec.code.js, s)};`);
    } else {
      if (currentLoop < 0) {
        currentLoop = loopCount++;
        body.push('for (let c = 0; c < cols; c++) {');
      }
      loopOf.set(k, currentLoop);
      buffers.push(`bt${k}`);
      body.push(`${stepCode(k)} bt${k}[c] = t${k};`);
    }
    done.add(k);
  }
  closeLoop();

  // Without a class axis a row is one value: no loop over classes.
  const write = (target: string, v: string): void => {
    body.push(classAxis ? `if (${target}) for (let c = 0; c < cols; c++) ${target}[o + c] = ${v};` : `if (${target}) ${target}[r] = ${v};`);
  };
  write('value', ref(plan.root));
  plan.grads.forEach((g, j) => write(`grads[${j}]`, g < 0 ? '0' : ref(g)));

  return [
    ...header(),
    ...buffers.map((b) => `const ${b} = new Float64Array(cols);`),
    'for (let r = 0, o = 0; r < rows; r++, o += cols) {',
    ...body,
    '}',
    '};',
  ].join('\n');
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '(-Infinity)';
  return v < 0 || Object.is(v, -0) ? `(${v === 0 ? '-0' : String(v)})` : String(v);
}
