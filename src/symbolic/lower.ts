/**
 * The one lowering of an expression for every numeric path: a topologically
 * ordered list of SSA steps (constants, inputs, the cotangent seed, a leaf of
 * ones, and operator steps that carry their registry entry), with each
 * step's shape, the value's slot and one gradient slot per differentiated
 * input. The evaluator, the verification tape, the compiled JavaScript
 * kernels, the fused training kernels and the tfjs builder all run this plan;
 * what an operator means (its value, row semantics, code and tensor builders,
 * derivative and vector-Jacobian templates) is read from its entry only.
 *
 * The adjoints are built as an expression DAG over the same interned nodes as
 * the value, so a subtree shared between the value and the gradients becomes
 * one step. The gradient is of Σ seed ⊙ value, the value broadcast to the
 * domain's full shape (N×C, or N for `reg`) as `evaluate` returns it: a
 * row-valued (N×1) value broadcast over the classes sums its cotangent over
 * the row.
 *
 * Gradients are the registry's derivative templates evaluated with the
 * guarded operators: d Div(a,b)/db is −a/((b+1e-20)(b+1e-20)), d Exp(a)/da
 * is exp(min(a,88)) (not 0 beyond the clamp). Away from the guards' tiny
 * neighbourhoods this is the exact gradient.
 */
import { DOMAINS, type Domain, type InputName } from './domains.js';
import { EvalError } from './evaluate.js';
import { constant, inputsOf, instantiate, op, pattern, postorder, type Node } from './node.js';
import type { OpSpec } from './op-spec.js';
import { parseTemplate } from './parse/index.js';
import { toNumber } from './rational.js';
import { NAMED_CONSTANTS, opSpec } from './registry.js';
import type { Shape } from './shape.js';

export type { Shape } from './shape.js';

/** One SSA step; its slot is its index in `LoweredPlan.steps`, and its arguments' slots are smaller. */
export type Step =
  | { readonly kind: 'const'; readonly shape: 0; readonly value: number }
  | { readonly kind: 'input'; readonly shape: Shape; readonly name: InputName }
  /** The cotangent of the value: the domain's full shape. */
  | { readonly kind: 'seed'; readonly shape: Shape }
  /** 1 everywhere, at the domain's full shape (it counts the classes in a row sum). */
  | { readonly kind: 'ones'; readonly shape: Shape }
  | { readonly kind: 'op'; readonly shape: Shape; readonly spec: OpSpec; readonly args: readonly number[] };

export type OpStep = Extract<Step, { kind: 'op' }>;

/**
 * A lowered expression: built once per (tree, domain, wrt) and shared by
 * every executor. Shapes: 0 a scalar (1×1), 1 one value per row (N×1, and
 * every value of `reg`), 2 one per row and class (N×C).
 */
export interface LoweredPlan {
  readonly tree: Node;
  readonly domain: Domain;
  readonly classAxis: boolean;
  readonly wrt: readonly InputName[];
  /** Inputs the tree reads, sorted. */
  readonly used: readonly InputName[];
  readonly steps: readonly Step[];
  /** The value's slot. */
  readonly root: number;
  /** Per `wrt` input, the slot of ∂(Σ seed⊙value)/∂input, or −1 where it is identically 0. */
  readonly grads: readonly number[];
  /** No step works along the class axis: every output element depends on its own input elements only. */
  readonly elementwise: boolean;
}

export interface LowerOptions {
  /** Inputs to differentiate with respect to; default none. */
  readonly wrt?: readonly InputName[];
}

const SEED = pattern('seed-cotangent');
const ONES = pattern('ones-full');
const ONE = constant(1);

const templateCache = new Map<string, Node>();
function template(t: string): Node {
  let n = templateCache.get(t);
  if (!n) templateCache.set(t, (n = parseTemplate(t)));
  return n;
}

const plans = new WeakMap<Node, Map<string, LoweredPlan>>();

/**
 * Lowers `tree` for `domain`, with gradients with respect to `wrt`: checks the
 * tree against the domain (its inputs, class-axis operators, no pattern
 * variables) and returns the cached plan.
 *
 * @example
 * lower(parse('Div(I,U)').tree, 'reg', { wrt: ['I'] })
 * // steps: I, U, Div(0,1), seed, 1, Div(4,1), Mul(3,5); root 2; grads [6]
 */
export function lower(tree: Node, domain: Domain, options: LowerOptions = {}): LoweredPlan {
  const wrt = [...new Set(options.wrt ?? [])];
  const key = `${domain}|${wrt.join(',')}`;
  let byKey = plans.get(tree);
  const hit = byKey?.get(key);
  if (hit) return hit;
  const plan = build(tree, domain, wrt);
  if (!byKey) plans.set(tree, (byKey = new Map()));
  byKey.set(key, plan);
  return plan;
}

function build(tree: Node, domain: Domain, wrt: readonly InputName[]): LoweredPlan {
  const classAxis = DOMAINS[domain].classAxis;
  const base: Shape = classAxis ? 2 : 1;
  const shapes = new Map<Node, Shape>();
  const shape = (n: Node): Shape => {
    let s = shapes.get(n);
    if (s !== undefined) return s;
    if (n.kind === 'const' || n.kind === 'named') s = 0;
    else if (n.kind === 'input' || n === SEED || n === ONES) s = base;
    else if (n.kind === 'pattern') throw new EvalError(`pattern variable ?${n.name} cannot be evaluated`);
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
  const gradTrees = adjoints(tree, wrt, shape, base);

  const steps: Step[] = [];
  const slots = new Map<Node, number>();
  let elementwise = true;
  for (const n of postorder([tree, ...gradTrees.filter((g): g is Node => g !== undefined)])) {
    let step: Step;
    if (n.kind === 'const') step = { kind: 'const', shape: 0, value: toNumber(n.value) };
    else if (n.kind === 'named') step = { kind: 'const', shape: 0, value: NAMED_CONSTANTS[n.name].value };
    else if (n.kind === 'input') step = { kind: 'input', shape: base, name: n.name };
    else if (n === SEED) step = { kind: 'seed', shape: base };
    else if (n === ONES) step = { kind: 'ones', shape: base };
    else if (n.kind === 'pattern') throw new EvalError(`pattern variable ?${n.name} cannot be evaluated`);
    else {
      const spec = opSpec(n.op);
      if (spec.axis) elementwise = false;
      step = { kind: 'op', shape: shape(n), spec, args: n.args.map((a) => slots.get(a)!) };
    }
    slots.set(n, steps.length);
    steps.push(step);
  }
  return {
    tree,
    domain,
    classAxis,
    wrt,
    used: [...inputsOf(tree)].sort(),
    steps,
    root: slots.get(tree)!,
    grads: gradTrees.map((g) => (g ? slots.get(g)! : -1)),
    elementwise,
  };
}

/**
 * Reverse mode over the DAG from the registry's `derivative` (elementwise)
 * and `vjp` (axis) templates: one gradient expression per `wrt` input,
 * undefined where it is identically 0.
 */
function adjoints(tree: Node, wrt: readonly InputName[], shape: (n: Node) => Shape, base: Shape): (Node | undefined)[] {
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
  // The language's own sum, product, negation and row sum express the chain rule.
  if (needs(tree)) push(tree, shape(tree) === 1 && base === 2 ? op('Dot', SEED, ONE) : SEED);
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
      if (spec.vjp) c = instantiate(template(spec.vjp[j]!), bind);
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
