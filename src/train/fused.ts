/**
 * Fused loss kernels for the CPU backends (`cpu`, `wasm`): the expression and
 * its symbolic gradient compiled into one generated JavaScript loop over the
 * inputs' typed arrays, wrapped as one tfjs op with `tf.customGrad`. The
 * kernels are `symbolic/compile-js.ts`'s, generated from the lowered plan
 * (`symbolic/lower.ts`): an elementwise plan as one flat loop, a plan with an
 * axis op as row kernels. Only the registry's code templates of the validated
 * tree reach `new Function`.
 *
 * Why: an expression such as Autoloss-B cls is ~40 tfjs ops, each a full pass
 * over N×C values with its own allocation, and as many again for autograd;
 * one loop computing value and gradient together touches the data once.
 *
 * Without an axis op (Softmax, Dot) every output element depends on its own input
 * element only, so the forward pass also computes the local gradients (seed
 * of ones) and the backward pass is one multiplication by dy. A tree whose
 * value is one per sample (Dot at the top, as in cross-entropy) likewise
 * gets its row gradient in the forward pass (a unit cotangent per row),
 * scaled by the row's dy in the backward pass; its value comes as N×1
 * (`rows`), not broadcast over the classes. Otherwise the backward pass runs
 * the kernel again with dy as the seed.
 * The kernel computes in float64 and stores float32, except that a softmax
 * over an input is the backend's (float32; XNNPACK's vectorised exponentials
 * on wasm, where scalar `Math.exp` bounded these kernels), corrected in the
 * kernel for its x − max rounding. Inputs not in `wrt` (labels, detached
 * IoUs) get no gradient.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { compileKernel, type CompiledKernel, type NumArray } from '../symbolic/compile-js.js';
import { DOMAINS, type Domain, type InputName } from '../symbolic/domains.js';
import { EvalError } from '../symbolic/evaluate.js';
import { lower } from '../symbolic/lower.js';
import type { Node } from '../symbolic/node.js';
import type { Tf } from '../symbolic/op-spec.js';
import { onHostMemory } from './backend-names.js';
import { fullShape, type TensorInputs } from './compile-tfjs.js';
import { hostKernel, type HostArray } from './host-kernel.js';

/**
 * Whether `auto` runs an expression as a fused kernel on `backend`, from
 * `npm run bench:loss`: on `cpu` the fused kernel is 2-8× faster than tfjs's
 * JavaScript ops; on `wasm` it wins by 3-5× for row-coupled trees (tfjs's
 * Softmax/Dot gradients broadcast and tile through slow paths) and, since the
 * box terms became one op and repeated calls are reused, by 1.2-2× on the
 * elementwise published losses too (Autoloss-B cls, the regression losses),
 * where the tfjs ops' per-op cost outweighs XNNPACK's faster arithmetic;
 * `tensorflow` keeps everything in libtensorflow.
 */
export function preferFused(backend: string): boolean {
  return onHostMemory(backend);
}

export interface FusedLoss {
  readonly tree: Node;
  readonly domain: Domain;
  readonly wrt: readonly InputName[];
  /** True when the kernel has no row-coupled operator (Softmax, Dot). */
  readonly elementwise: boolean;
  /** The generated kernel source(s), for inspection. */
  readonly source: string;
  /** The value broadcast to the inputs' common shape; differentiable with respect to the `wrt` inputs. */
  full(tf: Tf, inputs: TensorInputs): tfc.Tensor;
  /** The value is one per row (a Dot at the top). */
  readonly rowValued: boolean;
  /** For a row-valued tree, the value as N×1, without the N×C broadcast `full` makes. */
  rows?(tf: Tf, inputs: TensorInputs): tfc.Tensor;
}

/**
 * The generated kernel only indexes and assigns its outputs, so float32
 * arrays serve where compile-js's types say Float64Array: each value is
 * rounded to float32 as it is stored, exactly as converting afterwards
 * would, without the extra pass.
 */
const as64 = (a: Float32Array): Float64Array => a as unknown as Float64Array;

/**
 * Compiles `tree` (validated for `domain`) into a fused kernel differentiable
 * with respect to `wrt`.
 *
 * @example
 * const loss = compileFused(parse('autoloss-b-cls' prefix…).tree, 'binary', ['X']);
 * const g = tf.grad((x) => tf.sum(loss.full(tf, { X: x, Q, PY, NY })))(logits);
 */
export function compileFused(tree: Node, domain: Domain, wrt: readonly InputName[]): FusedLoss {
  for (const w of wrt) {
    if (!DOMAINS[domain].inputs.some((i) => i.name === w)) throw new EvalError(`input ${w} is not an input of domain ${domain}`);
  }
  const plan = lower(tree, domain);
  const elementwise = plan.elementwise;
  // Elementwise: one flat kernel gives value and local gradients. Otherwise a value kernel and a seeded gradient kernel.
  // A row-valued tree (Dot at the top: one value per sample, broadcast over the classes) has a
  // gradient linear in the row's summed cotangent, so one pass with a unit seed per row suffices.
  const rowValued = !elementwise && plan.classAxis && plan.steps[plan.root]!.shape === 1;
  // A softmax over an input is the backend's (vectorised on wasm: XNNPACK) in float32, handed to the kernel.
  const forward = elementwise
    ? compileKernel(tree, domain, { wrt, unitSeed: true })
    : compileKernel(tree, domain, { wrt: rowValued ? wrt : [], givenSoftmax: true, rowSeed: rowValued });
  const backward: CompiledKernel | undefined = elementwise || rowValued ? undefined : compileKernel(tree, domain, { wrt, givenSoftmax: true });
  const softmaxOf = forward.softmaxOf;

  /** The kernel's value: full-shape, or N×1 for a row-valued tree. */
  const run = (tf: Tf, inputs: TensorInputs): tfc.Tensor => {
    const shape = fullShape(domain, inputs);
    const rows = shape[0]!;
    const cols = shape.length > 1 ? shape[1]! : 1;
    // Inputs of another shape broadcast to the common one (N×1 IoUs over classes, say).
    const dense = (t: tfc.Tensor): tfc.Tensor => (t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]) ? t : tf.broadcastTo(t, shape));
    const given = (name: InputName): tfc.Tensor => {
      const t = inputs[name];
      if (!t) throw new EvalError(wrt.includes(name) ? `input ${name} is not given` : `input ${name} is used but not given`);
      return t;
    };
    const fixedNames = forward.inputs.filter((name) => !wrt.includes(name));
    const fixed = fixedNames.map((name) => dense(given(name)));
    const wrtTensors = wrt.map((name) => dense(given(name)));
    const made = fixed.filter((t) => !Object.values(inputs).includes(t));
    // The kernel reads every input from the backend's memory (host-kernel.ts): fixed inputs first, then the wrt ones,
    // then the softmax of each input the kernel takes it of.
    const names = [...fixedNames, ...wrt];
    const record = (arrays: readonly HostArray[]): Partial<Record<InputName, NumArray>> => Object.fromEntries(names.map((name, i) => [name, arrays[i] as Float32Array]));
    const softRecord = (arrays: readonly HostArray[]): Partial<Record<InputName, NumArray>> =>
      Object.fromEntries(softmaxOf.map((name, i) => [name, arrays[names.length + i] as Float32Array]));
    const withSoftmax = (ts: tfc.Tensor[]): tfc.Tensor[] => [...ts, ...softmaxOf.map((name) => tf.softmax(ts[names.indexOf(name)]!))];
    const gradRecord = (arrays: readonly Float32Array[]): Partial<Record<InputName, Float64Array>> => Object.fromEntries(wrt.map((name, i) => [name, as64(arrays[i]!)]));
    const f = tf.customGrad((...args: unknown[]) => {
      const xs = args.slice(0, wrt.length) as tfc.Tensor[];
      const save = args[wrt.length] as (ts: tfc.Tensor[]) => void;
      const ins = withSoftmax([...fixed, ...xs]);
      if (rowValued) {
        // One pass gives each row's value (N×1) and its gradient for a unit row cotangent (the default seed per row).
        const [value, ...local] = hostKernel(tf, ins, [[rows, 1], ...wrt.map(() => shape)], (arrays, [v, ...gs]) =>
          forward.run(record(arrays), rows, cols, { rowValue: as64(v!), grads: gradRecord(gs) }, undefined, softRecord(arrays)),
        );
        tf.dispose(ins.slice(names.length));
        save(local);
        return {
          value: value!,
          // Each row's gradient scaled by the row's cotangent.
          gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) =>
            hostKernel(tf, [dy, ...saved], saved.map(() => shape), ([d, ...gs], outs) => {
              for (let r = 0, o = 0; r < rows; r++, o += cols) {
                const dr = d![r]!;
                for (let k = 0; k < gs.length; k++) {
                  const g = gs[k]!, out = outs[k]!;
                  for (let c = 0; c < cols; c++) out[o + c] = dr * g[o + c]!;
                }
              }
            }),
        };
      }
      if (elementwise) {
        // One pass gives the value and the local gradients.
        const [value, ...local] = hostKernel(tf, ins, [shape, ...wrt.map(() => shape)], (arrays, [v, ...gs]) =>
          forward.run(record(arrays), rows, cols, { value: as64(v!), grads: gradRecord(gs) }),
        );
        save(local);
        return { value: value!, gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) => saved.map((g) => tf.mul(dy, g)) };
      }
      const [value] = hostKernel(tf, ins, [shape], (arrays, [v]) => forward.run(record(arrays), rows, cols, { value: as64(v!) }, undefined, softRecord(arrays)));
      save(ins);
      return {
        value: value!,
        gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) =>
          hostKernel(tf, [dy, ...saved], wrt.map(() => shape), ([d, ...arrays], gs) =>
            backward!.run(record(arrays), rows, cols, { grads: gradRecord(gs) }, d as Float32Array, softRecord(arrays)),
          ),
      };
    });
    let out: tfc.Tensor;
    if (wrt.length === 0) {
      const ins = withSoftmax(fixed);
      out = hostKernel(tf, ins, [rowValued ? [rows, 1] : shape], (arrays, [v]) =>
        forward.run(record(arrays), rows, cols, rowValued ? { rowValue: as64(v!) } : { value: as64(v!) }, undefined, softRecord(arrays)),
      )[0]!;
      tf.dispose(ins.slice(names.length));
    } else out = f(...wrtTensors);
    tf.dispose(made);
    return out;
  };
  const full = (tf: Tf, inputs: TensorInputs): tfc.Tensor => (rowValued ? tf.broadcastTo(run(tf, inputs), fullShape(domain, inputs)) : run(tf, inputs));
  return {
    tree,
    domain,
    wrt,
    elementwise,
    rowValued,
    source: backward ? `${forward.source}\n${backward.source}` : forward.source,
    full,
    ...(rowValued ? { rows: run } : {}),
  };
}
