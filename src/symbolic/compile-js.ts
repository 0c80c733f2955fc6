/**
 * Compiles a validated tree into a fast float64 JavaScript kernel that
 * computes, per sample row, the loss value and reverse-mode gradients with
 * respect to chosen inputs.
 *
 * The code is generated only from the registry: each operator's `code.js`
 * template for values, its `derivative` templates (elementwise ops) or `vjp`
 * templates (Softmax, Dot) for adjoints. Nothing of a user's text reaches
 * `new Function`: a tree's leaves are inputs, exact constants printed as
 * numbers, and π.
 *
 * How it works: the adjoints are built first as an expression DAG over the
 * same interned nodes as the value (so a subtree shared between the value and
 * the gradients is computed once), then the whole DAG is scheduled as SSA
 * code, one `const tK = …` per node, inside a loop over rows. Values with a
 * class axis run in fused loops over the row's classes; Softmax and Dot break
 * the fusion because they need the whole row.
 *
 * Conventions:
 * - Values are exactly `evaluate()`'s (the same guards: Div a/(b+1e-20),
 *   Log(a+1e-20), the Exp clamp at 88, the same summation order in Dot and
 *   Softmax); the tests pin this on every reference-values fixture.
 * - Gradients are the registry's derivative templates evaluated with the
 *   guarded operators: d Div(a,b)/db is −a/((b+1e-20)(b+1e-20)), d Exp(a)/da
 *   is exp(min(a,88)) (not 0 beyond the clamp), d|a|/da and d Relu/da are 0 at
 *   0. Away from the guards' tiny neighbourhoods this is the exact gradient.
 * - The gradient is of Σ seed ⊙ value, where value is broadcast to the
 *   domain's full shape (N×C, or N for `reg`) as `evaluate` returns it, and
 *   seed defaults to ones. A row-reduced (N×1) value broadcast over classes
 *   therefore sums its cotangent over the row.
 */
import { DOMAINS, type Domain, type InputName } from './domains.js';
import { EvalError } from './evaluate.js';
import { constant, inputsOf, instantiate, op, pattern, postorder, type Node } from './node.js';
import { parseTemplate } from './parse/index.js';
import { toNumber } from './rational.js';
import { NAMED_CONSTANTS, opSpec } from './registry.js';
import * as M from './scalar-math.js';

/** Numeric arrays a kernel reads. */
export type NumArray = Float64Array | Float32Array;

export interface KernelOptions {
  /** Inputs to differentiate with respect to; default none. */
  readonly wrt?: readonly InputName[];
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


const SEED = pattern('seed-cotangent');
/** A leaf of the domain's full shape whose every element is 1 (it counts the classes in Dot). */
const ONES = pattern('ones-full');
const ONE = constant(1);
const templateCache = new Map<string, Node>();
const template = (t: string): Node => {
  let n = templateCache.get(t);
  if (!n) templateCache.set(t, (n = parseTemplate(t)));
  return n;
};

/** Shape of a value: 0 a scalar (1×1), 1 a row-reduced or regression value (N×1), 2 per class (N×C). */
export type Shape = 0 | 1 | 2;

/**
 * A kernel before code generation: the value tree and one gradient DAG per
 * `wrt` input over the same interned nodes, with every node's shape. Other
 * executors (a tensor compiler, a batch interpreter) can run the same plan.
 */
export interface KernelPlan {
  readonly tree: Node;
  readonly domain: Domain;
  readonly classAxis: boolean;
  readonly wrt: readonly InputName[];
  /** Inputs the tree reads, sorted. */
  readonly used: readonly InputName[];
  /** ∂(Σ seed⊙value)/∂wrt[j], or undefined where it is identically 0. */
  readonly grads: readonly (Node | undefined)[];
  readonly shape: (n: Node) => Shape;
  /** The leaf that stands for the value's cotangent in `grads` (shape: the domain's full shape). */
  readonly seed: Node;
  /** A leaf of the domain's full shape that is 1 everywhere. */
  readonly ones: Node;
}

/**
 * Plans a value-and-gradient kernel: checks the tree against the domain and
 * builds the adjoint DAG from the registry's derivative and vjp templates.
 *
 * @example
 * planKernel(parse('Mul(I,I)').tree, 'reg', { wrt: ['I'] }).grads[0] // Add(Mul(seed,I),Mul(seed,I)) as a tree
 */
export function planKernel(tree: Node, domain: Domain, options: KernelOptions = {}): KernelPlan {
  const wrt = [...new Set(options.wrt ?? [])];
  const classAxis = DOMAINS[domain].classAxis;
  const base: Shape = classAxis ? 2 : 1;
  const shapes = new Map<Node, Shape>();
  const shape = (n: Node): Shape => {
    let s = shapes.get(n);
    if (s !== undefined) return s;
    if (n.kind === 'const' || n.kind === 'named') s = 0;
    else if (n.kind === 'input' || n === SEED || n === ONES) s = base;
    else if (n.kind === 'pattern') throw new EvalError(`pattern variable ?${n.name} cannot be compiled`);
    else {
      const spec = opSpec(n.op);
      if (spec.axis && !classAxis) throw new EvalError(`${n.op} needs a class axis, which domain ${domain} does not have`);
      const m = Math.max(...n.args.map(shape)) as Shape;
      s = spec.axis === 'dot' ? (m === 0 ? 0 : 1) : m;
    }
    shapes.set(n, s);
    return s;
  };
  for (const name of inputsOf(tree)) {
    if (!DOMAINS[domain].inputs.some((i) => i.name === name)) throw new EvalError(`input ${name} is not an input of domain ${domain}`);
  }
  shape(tree);
  const grads = buildAdjoints(tree, wrt, shape, base);
  const used = [...inputsOf(tree)].sort();
  return { tree, domain, classAxis, wrt, used, grads, shape, seed: SEED, ones: ONES };
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
  const { wrt, used, grads, shape, classAxis } = planKernel(tree, domain, options);
  const source = generate(tree, grads, wrt, used, shape, classAxis);
  const fn = new Function('M', source) as (m: typeof M) => RunFn;
  const kernel = fn(M);
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
      if (!g && wrt.length > 0) g = onesOf(n);
      const gradOuts = wrt.map((w) => out.grads?.[w]);
      kernel(args, rows, cols, out.value, gradOuts, g);
    },
  };
}

let ones = new Float64Array(0);
/** A shared read-only array of at least n ones: the default cotangent. */
function onesOf(n: number): Float64Array {
  if (ones.length < n) ones = new Float64Array(Math.max(n, 2 * ones.length)).fill(1);
  return ones;
}

type RunFn = (args: NumArray[], rows: number, cols: number, value: Float64Array | undefined, grads: (Float64Array | undefined)[], seed: NumArray | undefined) => void;

/** Reverse mode over the DAG: one gradient expression per `wrt` input (undefined where it is identically 0). */
function buildAdjoints(tree: Node, wrt: readonly InputName[], shape: (n: Node) => Shape, base: Shape): (Node | undefined)[] {
  if (wrt.length === 0) return [];
  const wanted = new Set(wrt);
  const needs = (n: Node): boolean => {
    for (const i of inputsOf(n)) if (wanted.has(i)) return true;
    return false;
  };
  const order = postorder([tree]);
  const contribs = new Map<Node, Node[]>();
  const push = (n: Node, c: Node): void => {
    const list = contribs.get(n);
    if (list) list.push(c);
    else contribs.set(n, [c]);
  };
  if (needs(tree)) {
    // A row-reduced value broadcast over the classes receives the row's summed cotangent.
    push(tree, shape(tree) === 1 && base === 2 ? op('Dot', SEED, ONE) : SEED);
  }
  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k]!;
    if (n.kind !== 'op' || !needs(n)) continue;
    const list = contribs.get(n);
    if (!list) continue;
    const g = list.reduce((acc, c) => op('Add', acc, c));
    const spec = opSpec(n.op);
    const [a, b] = n.args;
    const bind: Record<string, Node> = b ? { a: a!, b, g } : { a: a!, g };
    n.args.forEach((arg, j) => {
      if (!needs(arg)) return;
      let c: Node;
      if (spec.axis) c = instantiate(template(spec.vjp![j]!), bind);
      else c = times(g, instantiate(template(spec.derivative[j]!), bind));
      // A row argument broadcast over the classes on the way in: sum its cotangent back over the
      // row. A cotangent that is itself a row (from a row-reducing consumer) sums to C times it,
      // which Dot against the full array of ones gives.
      if (shape(arg) === 1 && shape(c) === 2) c = op('Dot', c, ONE);
      else if (shape(arg) === 1 && shape(n) === 2) c = op('Dot', c, ONES);
      push(arg, c);
    });
  }
  return wrt.map((w) => {
    const list = [...contribs.entries()].find(([n]) => n.kind === 'input' && n.name === w)?.[1];
    return list?.reduce((acc, c) => op('Add', acc, c));
  });
}

function times(g: Node, d: Node): Node {
  if (d.kind === 'const') {
    const v = toNumber(d.value);
    if (v === 1) return g;
    if (v === -1) return op('Neg', g);
  }
  return op('Mul', g, d);
}

/** SSA code for the value and the gradients. */
function generate(tree: Node, grads: readonly (Node | undefined)[], wrt: readonly InputName[], used: readonly InputName[], shape: (n: Node) => Shape, classAxis: boolean): string {
  const roots = [tree, ...grads.filter((g): g is Node => g !== undefined)];
  const nodes = postorder(roots).filter((n) => n.kind === 'op');
  const names = new Map<Node, string>(nodes.map((n, k) => [n, `t${k}`]));

  const inputVar = new Map<InputName, string>(used.map((u, k) => [u, `in${k}`]));
  const pre: string[] = [];
  const body: string[] = [];
  // Which loop computed each full value; a value is read as its local inside that loop, else from its buffer.
  const loopOf = new Map<Node, number>();
  let currentLoop = -1;
  let loopCount = 0;
  const buffers: string[] = [];

  const ref = (n: Node): string => {
    switch (n.kind) {
      case 'const':
        return num(toNumber(n.value));
      case 'named':
        return num(NAMED_CONSTANTS[n.name].value);
      case 'input':
        return classAxis ? `${inputVar.get(n.name)}[o + c]` : `${inputVar.get(n.name)}[r]`;
      case 'pattern':
        if (n === ONES) return '1';
        return classAxis ? 'seed[o + c]' : 'seed[r]';
      case 'op': {
        const v = names.get(n)!;
        if (shape(n) === 2 && loopOf.get(n) !== currentLoop) return `b${v}[c]`;
        return v;
      }
    }
  };
  const elementwise = (n: Node & { kind: 'op' }): string => {
    const spec = opSpec(n.op);
    if (spec.axis === 'softmax') {
      // Softmax over a single column is 1 (NaN for a non-finite value, as evaluate gives).
      const a = ref(n.args[0]!);
      return `((${a} - ${a}) + 1)`;
    }
    if (spec.axis === 'dot') return `(${ref(n.args[0]!)} * ${ref(n.args[1]!)})`;
    const js = spec.code.js!;
    const a = ref(n.args[0]!);
    const b = n.args[1] ? ref(n.args[1]) : '';
    return js.replace(/#1/g, a).replace(/#2/g, b);
  };
  const closeLoop = (): void => {
    if (currentLoop >= 0) body.push('}');
    currentLoop = -1;
  };

  // Scalars (ops over constants only) are computed once, before the row loop.
  for (const n of nodes) if (shape(n) === 0) pre.push(`const ${names.get(n)} = ${elementwise(n as Node & { kind: 'op' })};`);

  // List scheduling: keep adding classwise elementwise nodes to the open loop while any is ready.
  const pending = nodes.filter((n) => shape(n) > 0) as (Node & { kind: 'op' })[];
  const done = new Set<Node>();
  const ready = (n: Node & { kind: 'op' }): boolean => n.args.every((a) => a.kind !== 'op' || shape(a) === 0 || done.has(a));
  const isAxis = (n: Node & { kind: 'op' }): boolean => opSpec(n.op).axis !== undefined;
  while (pending.length > 0) {
    let k = -1;
    if (currentLoop >= 0) k = pending.findIndex((n) => shape(n) === 2 && !isAxis(n) && ready(n));
    if (k < 0) {
      closeLoop();
      k = pending.findIndex((n) => shape(n) === 1 && !(opSpec(n.op).axis === 'dot' && n.args.some((a) => shape(a) === 2)) && ready(n));
      if (k < 0) k = pending.findIndex((n) => shape(n) === 2 && !isAxis(n) && ready(n));
      if (k < 0) k = pending.findIndex(ready);
    }
    const n = pending.splice(k, 1)[0]!;
    const v = names.get(n)!;
    const spec = opSpec(n.op);
    if (shape(n) === 1) {
      if (spec.axis === 'dot' && n.args.some((a) => shape(a) === 2)) {
        body.push(`let ${v} = 0;`, `for (let c = 0; c < cols; c++) ${v} += ${ref(n.args[0]!)} * ${ref(n.args[1]!)};`);
      } else {
        body.push(`const ${v} = ${elementwise(n)};`);
      }
    } else if (spec.axis === 'softmax') {
      buffers.push(v);
      const a = ref(n.args[0]!);
      body.push(
        `let m${v} = -Infinity;`,
        `for (let c = 0; c < cols; c++) m${v} = Math.max(m${v}, ${a});`,
        `let s${v} = 0;`,
        `for (let c = 0; c < cols; c++) { const e = Math.exp(${a} - m${v}); b${v}[c] = e; s${v} += e; }`,
        `for (let c = 0; c < cols; c++) b${v}[c] /= s${v};`,
      );
      loopOf.set(n, -2);
    } else {
      if (currentLoop < 0) {
        currentLoop = loopCount++;
        body.push('for (let c = 0; c < cols; c++) {');
      }
      loopOf.set(n, currentLoop);
      buffers.push(v);
      body.push(`const ${v} = ${elementwise(n)}; b${v}[c] = ${v};`);
    }
    done.add(n);
  }
  closeLoop();

  // Without a class axis a row is one value: no loop over classes.
  const write = (target: string, v: string): void => {
    body.push(classAxis ? `if (${target}) for (let c = 0; c < cols; c++) ${target}[o + c] = ${v};` : `if (${target}) ${target}[r] = ${v};`);
  };
  write('value', ref(tree));
  wrt.forEach((_, j) => {
    const g = grads[j];
    write(`grads[${j}]`, g ? ref(g) : '0');
  });

  return [
    '"use strict";',
    ...pre,
    'return function kernel(args, rows, cols, value, grads, seed) {',
    ...used.map((u, k) => `const ${inputVar.get(u)} = args[${k}];`),
    ...buffers.map((b) => `const b${b} = new Float64Array(cols);`),
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
