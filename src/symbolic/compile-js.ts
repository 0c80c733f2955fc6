/**
 * Compiles a validated tree into a fast float64 JavaScript kernel that
 * computes, per sample row, the loss value and reverse-mode gradients with
 * respect to chosen inputs: code generated from the lowered plan
 * (`lower.ts`), which holds the value and its adjoints as SSA steps.
 *
 * Code comes from the registry only: each step's `code.js` template, an
 * axis op's `code.jsRow` template where its argument has a class axis, and
 * the optional forms an entry declares (`jsFinite`, `jsRowSkip`,
 * `jsRowGiven`). Nothing of a user's text reaches `new Function`: a tree's
 * leaves are inputs, exact constants printed as numbers, and π.
 *
 * One emitter, two loop forms. An elementwise plan (no axis op) is one flat
 * loop over all N×C values, every step a local `const`. Otherwise the loop
 * runs over rows; values with a class axis run in fused loops over the row's
 * classes, and axis ops break the fusion because they need the whole row.
 * Scalar steps (over constants only) are hoisted out of the loops; outputs
 * are stored in the loop that computes them; a row buffer no other loop
 * reads is not kept; a factor used only by a Dot is computed inside the
 * Dot's loop, and only where the other factor is non-zero or it is not
 * finite (a log-probability dotted with a one-hot label: one logarithm per
 * row).
 *
 * Conventions:
 * - Values are exactly `evaluate()`'s (the same guards: Div a/(b+1e-20),
 *   Log(a+1e-20), the Exp clamp at 88, the same summation order in Dot and
 *   Softmax); the tests pin this on every reference-values fixture. The
 *   exception is `givenSoftmax`, where a softmax comes from the caller in
 *   float32 (within 2 float32 ulps, `test/symbolic/accuracy.test.ts`).
 * - Gradients are those of the plan: ∂(Σ seed ⊙ value)/∂input with the value
 *   broadcast to the domain's full shape, seed defaulting to ones (with
 *   `rowSeed`, of Σ_r seed_r·value_r for a row-valued tree).
 */
import { DOMAINS, type Domain, type InputName } from './domains.js';
import { EvalError } from './evaluate.js';
import { lower, type LoweredPlan, type OpStep, type Step } from './lower.js';
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
  /**
   * For a tree whose value is one per row: the seed is one cotangent per row
   * (`rows` values, default ones), and the gradients are of Σ_r seed_r·value_r
   * rather than of the value broadcast over the classes.
   */
  readonly rowSeed?: boolean;
  /**
   * A softmax over an input reads its values from the caller (`run`'s
   * `softmax` argument) instead of computing them: a trainer hands in the
   * backend's vectorised float32 softmax, whose exponentials cost a
   * fraction of scalar `Math.exp` calls. The gradient through it is the
   * plan's, over those values.
   */
  readonly givenSoftmax?: boolean;
}

export interface KernelOutput {
  /** rows×cols (rows for `reg`); filled with the broadcast value. */
  readonly value?: Float64Array;
  /** rows: the value of each row, for a tree whose value is one per row (a Dot at the top). */
  readonly rowValue?: Float64Array;
  /** One rows×cols array per requested input; filled with ∂(Σ seed⊙value)/∂input. */
  readonly grads?: Partial<Record<InputName, Float64Array>>;
}

export interface CompiledKernel {
  readonly domain: Domain;
  readonly wrt: readonly InputName[];
  /** Inputs the tree reads; `run` needs exactly these. */
  readonly inputs: readonly InputName[];
  /** With `givenSoftmax`: the inputs whose softmax over the classes `run` needs. */
  readonly softmaxOf: readonly InputName[];
  /** The generated source, for inspection. */
  readonly source: string;
  /**
   * Runs over `rows` samples of `cols` classes (cols is 1 for `reg`).
   * `seed` is the cotangent of the value (rows×cols), default ones;
   * `softmax` the row softmax of each `softmaxOf` input.
   */
  run(inputs: Partial<Record<InputName, NumArray>>, rows: number, cols: number, out: KernelOutput, seed?: NumArray, softmax?: Partial<Record<InputName, NumArray>>): void;
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
  const softmaxOf = options.givenSoftmax ? softmaxInputs(plan) : [];
  const rowSeed = options.rowSeed ?? false;
  if (rowSeed && !(classAxis && !plan.elementwise && plan.steps[plan.root]!.shape < 2)) throw new EvalError('a seed per row needs a tree whose value is one per row');
  const source = emitKernel(plan, options.unitSeed ?? false, softmaxOf, rowSeed);
  const fn = new Function('M', source) as (m: typeof M) => RunFn;
  const kernel = fn(M);
  let ones = new Float64Array(0);
  return {
    domain,
    wrt,
    inputs: used,
    softmaxOf,
    source,
    run(inputs, rows, cols, out, seed, softmax) {
      if (!classAxis && cols !== 1) throw new EvalError(`domain ${domain} has no class axis: cols must be 1, got ${cols}`);
      const n = rows * cols;
      const args: NumArray[] = used.map((name) => {
        const a = inputs[name];
        if (!a) throw new EvalError(`input ${name} is used but not given`);
        if (a.length < n) throw new EvalError(`input ${name} has ${a.length} values, ${rows}×${cols} needs ${n}`);
        return a;
      });
      for (const name of softmaxOf) {
        const a = softmax?.[name];
        if (!a) throw new EvalError(`the softmax of input ${name} is not given`);
        if (a.length < n) throw new EvalError(`the softmax of input ${name} has ${a.length} values, ${rows}×${cols} needs ${n}`);
        args.push(a);
      }
      const seedLength = rowSeed ? rows : n;
      if (seed && seed.length < seedLength) throw new EvalError(`the seed has ${seed.length} values, ${rowSeed ? `${rows} rows need ${rows}` : `${rows}×${cols} needs ${n}`}`);
      let g: NumArray | undefined = seed;
      if (!g && wrt.length > 0 && !options.unitSeed) {
        // The default cotangent, kept by the kernel for its next run.
        if (ones.length < seedLength) ones = new Float64Array(seedLength).fill(1);
        g = ones;
      }
      const gradOuts = wrt.map((w) => out.grads?.[w]);
      if (out.rowValue && (plan.steps[plan.root]!.shape === 2 || (plan.elementwise && classAxis))) throw new EvalError('the value has a class axis: it has no value per row');
      kernel(args, rows, cols, out.value, gradOuts, g, out.rowValue);
    },
  };
}


/** The input whose softmax `step` is, when the caller can hand that softmax in (a softmax over a per-class input). */
function softmaxInputOf(steps: readonly Step[], step: Step): InputName | undefined {
  if (step.kind !== 'op' || step.spec.code.jsRowGiven === undefined) return undefined;
  const a = steps[step.args[0]!]!;
  return a.kind === 'input' && a.shape === 2 ? a.name : undefined;
}

/** The inputs a softmax step of `plan` runs over, in the order the kernel reads their softmax after its inputs. */
function softmaxInputs(plan: LoweredPlan): InputName[] {
  const names = new Set<InputName>();
  for (const s of plan.steps) {
    const name = softmaxInputOf(plan.steps, s);
    if (name) names.add(name);
  }
  return [...names].sort();
}

type RunFn = (args: NumArray[], rows: number, cols: number, value: Float64Array | undefined, grads: (Float64Array | undefined)[], seed: NumArray | undefined, rowValue: Float64Array | undefined) => void;

/**
 * The kernel's source, `kernel(args, rows, cols, value, grads, seed,
 * rowValue)`, from a lowered plan: one `const tK = …` per step. `args` holds
 * the used inputs, then the given softmax of each `softmaxOf` input.
 * `unitSeed` writes the seed as the literal 1; `rowSeed` reads one per row.
 */
function emitKernel(plan: LoweredPlan, unitSeed: boolean, softmaxOf: readonly InputName[], rowSeed: boolean): string {
  const { steps, classAxis } = plan;
  const flat = plan.elementwise;
  const inputVar = new Map<InputName, string>(plan.used.map((u, k) => [u, `in${k}`]));
  const softmaxVar = new Map<InputName, string>(softmaxOf.map((u, k) => [u, `sm${k}`]));
  /** The caller's softmax array a step reads instead of computing, if it is one. */
  const given = (k: number): string | undefined => {
    const name = softmaxInputOf(steps, steps[k]!);
    return name ? softmaxVar.get(name) : undefined;
  };
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
        // A seed per row stands for that cotangent in the row's first class and zeros elsewhere.
        return unitSeed ? '1' : rowSeed ? '(c === 0 ? seed[r] : 0)' : `seed${at}`;
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
  // A function call of one argument over a target input (the domain table's `repeats`), or over
  // another such step, keeps its last argument and value: the classification domains' targets
  // repeat along rows and columns (Z across a row, PY and NY mostly 0 and 1), so Sin(Z) or Sig(PY)
  // is computed once per run of equal arguments instead of per element. Same function, same
  // argument: the same value (zeros compared with their sign, NaN never reused). Over logits or box
  // terms, which seldom repeat, the check would only cost.
  const repeats = new Set(DOMAINS[plan.domain].inputs.filter((i) => i.repeats).map((i) => i.name));
  const repeating = (a: number): boolean => {
    const st = steps[a]!;
    return (st.kind === 'input' && repeats.has(st.name)) || memo.has(a);
  };
  const memo = new Set<number>();
  const memoLocals: string[] = [];
  const stepCode = (k: number): string => {
    const s = op(k);
    const g = given(k);
    // The caller's softmax, restored to what float64 can give from it.
    if (g) return fill(s.spec.code.jsRowGiven!.at, s).replace(/#g/g, `${g}[o + c]`).replace(/#v/g, `t${k}`).replace(/#t/g, `r${k}`);
    const a = s.args[0]!;
    if (s.args.length !== 1 || !repeating(a) || !/[\w.]\(/.test(s.spec.code.js)) return `const t${k} = ${fill(s.spec.code.js, s)};`;
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
    // With a unit seed the seed argument is unused: not named, so no code can read it.
    `return function kernel(args, rows, cols, value, grads, ${unitSeed ? '_' : 'seed'}, rowValue) {`,
    ...plan.used.map((u, k) => `const ${inputVar.get(u)} = args[${k}];`),
    ...softmaxOf.map((u, k) => `const ${softmaxVar.get(u)} = args[${plan.used.length + k}];`),
    // The gradient outputs as locals: read from the array in the loop, they measured 2-3× slower stores.
    ...plan.grads.map((_, j) => `const gr${j} = grads[${j}];`),
    ...memoLocals,
  ];

  // Scalars (ops over constants only) are computed once, outside the kernel.
  for (let k = 0; k < steps.length; k++) if (isOp(k) && steps[k]!.shape === 0) pre.push(`const t${k} = ${fill(op(k).spec.code.js, op(k))};`);
  const pending = steps.flatMap((s, k) => (s.kind === 'op' && s.shape > 0 ? [k] : []));

  if (flat) {
    // Every value is per element: one loop over all of them.
    for (const k of pending) body.push(stepCode(k));
    const writes = [`if (value) value[i] = ${ref(plan.root)};`];
    if (!classAxis) writes.push(`if (rowValue) rowValue[i] = ${ref(plan.root)};`);
    plan.grads.forEach((g, j) => writes.push(`if (gr${j}) gr${j}[i] = ${g < 0 ? '0' : ref(g)};`));
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
  // A per-class factor whose only use is a Dot that can skip it (a log-probability dotted with a
  // one-hot label, say) is computed inside that Dot's loop, where the other factor is non-zero.
  const useCount = new Map<number, number>();
  for (const s of steps) if (s.kind === 'op') for (const a of s.args) useCount.set(a, (useCount.get(a) ?? 0) + 1);
  const outputs = new Set([plan.root, ...plan.grads]);
  const lazyIn = new Map<number, number>();
  for (let k = 0; k < steps.length; k++) {
    if (!isOp(k)) continue;
    const d = op(k);
    if (!rowOp(d) || d.spec.code.jsRowSkip === undefined || d.args.length !== 2) continue;
    for (const a of [...d.args].reverse()) {
      const f = steps[a]!;
      if (f.kind !== 'op' || f.shape !== 2 || rowOp(f) || given(a) || f.spec.code.jsFinite === undefined) continue;
      // Used once, so by this Dot alone.
      if (outputs.has(a) || useCount.get(a) !== 1) continue;
      lazyIn.set(k, a);
      break;
    }
  }
  const lazy = new Set(lazyIn.values());

  /** The factors of the row sum of the cotangent: the seed, and ones (a leaf of ones or the constant 1). */
  const isRowSeedSum = (st: Step): boolean => st.kind === 'seed' || st.kind === 'ones' || (st.kind === 'const' && st.value === 1);
  // List scheduling: keep adding per-class elementwise steps to the open class loop while any is ready.
  const done = new Set<number>();
  const storedInLoop = new Set<number>();
  const ready = (k: number): boolean => op(k).args.every((a) => !isOp(a) || steps[a]!.shape === 0 || done.has(a));
  const inLoop = (k: number): boolean => steps[k]!.shape === 2 && (!rowOp(op(k)) || given(k) !== undefined) && ready(k);
  // A given softmax's row part (over an input) comes first; its values then join a class loop.
  for (const k of pending) if (given(k)) body.push(fill(op(k).spec.code.jsRowGiven!.row, op(k)).replace(/#t/g, `r${k}`));
  while (pending.length > 0) {
    // A lazy factor is done once its arguments are: its code goes into its Dot's loop.
    for (let j = pending.findIndex((k) => lazy.has(k) && ready(k)); j >= 0; j = pending.findIndex((k) => lazy.has(k) && ready(k))) done.add(pending.splice(j, 1)[0]!);
    if (pending.length === 0) break;
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
    if (lazyIn.has(k)) {
      const f = op(lazyIn.get(k)!);
      const other = s.args[0] === lazyIn.get(k) ? s.args[1]! : s.args[0]!;
      body.push(
        s.spec.code.jsRowSkip!
          .replace(/#f2/g, fill(f.spec.code.jsFinite!, f))
          .replace(/#1/g, ref(other))
          .replace(/#2/g, `(${fill(f.spec.code.js, f)})`)
          .replace(/#o/g, `t${k}`)
          .replace(/#t/g, `r${k}`),
      );
    } else if (rowSeed && rowOp(s) && s.spec.axis === 'dot' && s.args.some((a) => steps[a]!.kind === 'seed') && s.args.every((a) => isRowSeedSum(steps[a]!))) {
      // The row's summed cotangent (seed times ones over the classes) is its seed.
      body.push(`const t${k} = seed[r];`);
    } else if (rowOp(s) && !given(k)) {
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
      // An output with a class axis is stored in the loop that computes it, not in a pass of its own.
      if (classAxis) {
        if (plan.root === k) body.push(`if (value) value[o + c] = t${k};`);
        plan.grads.forEach((g, j) => {
          if (g === k) body.push(`if (gr${j}) gr${j}[o + c] = t${k};`);
        });
        storedInLoop.add(k);
      }
    }
    done.add(k);
  }
  closeLoop();

  // Without a class axis a row is one value: no loop over classes.
  const write = (target: string, v: string, k: number): void => {
    if (storedInLoop.has(k)) return;
    body.push(classAxis ? `if (${target}) for (let c = 0; c < cols; c++) ${target}[o + c] = ${v};` : `if (${target}) ${target}[r] = ${v};`);
  };
  write('value', ref(plan.root), plan.root);
  if (steps[plan.root]!.shape < 2) body.push(`if (rowValue) rowValue[r] = ${ref(plan.root)};`);
  plan.grads.forEach((g, j) => write(`gr${j}`, g < 0 ? '0' : ref(g), g));

  // A row buffer nothing reads (every use was inside its own class loop) is not kept.
  const code = body.join('\n');
  const unread = buffers.filter((b) => code.split(`${b}[c]`).length - 1 === (code.match(new RegExp(`\\b${b}\\[c\\] = t\\d+;`, 'g')) ?? []).length);
  for (const b of unread) for (let i = 0; i < body.length; i++) body[i] = body[i]!.replace(new RegExp(` ${b}\\[c\\] = t\\d+;`, 'g'), '');
  return [
    ...header(),
    ...buffers.filter((b) => !unread.includes(b)).map((b) => `const ${b} = new Float64Array(cols);`),
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
