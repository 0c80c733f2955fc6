/**
 * A detector's trainable parameters: named tf.Variables in creation order,
 * initialised from a seeded RNG so the same seed gives the same network.
 */
import type { SeededRng as Rng } from '../util/rng.js';
import { tf, type Tensor, type Tensor1D, type Tensor2D, type Tensor4D, type Variable } from './tf.js';
import { conv } from './conv.js';

export interface InitOptions {
  /** Normal std; default He (sqrt(2 / fan_in)). */
  readonly std?: number;
  /** Constant bias value; default 0; `false`: no bias (a convolution followed by a normalisation). */
  readonly bias?: number | false;
}

/**
 * A name for a new tfjs variable: `name#k` with the smallest k no live
 * variable of the engine holds. tfjs keeps variable names in one registry per
 * engine, so the engine, not this module, says which are free; a disposed
 * detector's names are free again.
 */
function freeVariableName(name: string): string {
  const taken = tf.engine().registeredVariables;
  let k = 0;
  while (`${name}#${k}` in taken) k++;
  return `${name}#${k}`;
}

export class Params {
  private readonly vars = new Map<string, Variable>();
  /** Non-trainable tensors (frozen BatchNorm statistics and affine): saved with weights files, never optimised. */
  private readonly buffers = new Map<string, Tensor>();
  constructor(private readonly rng: Rng) {}

  /** Creates a variable of `shape` with N(0, std²) entries. */
  normal(name: string, shape: number[], std: number): Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = this.rng.normal() * std;
    return this.add(name, tf.tensor(data, shape));
  }

  constant(name: string, shape: number[], value: number): Variable {
    return this.add(name, tf.fill(shape, value));
  }

  private add(name: string, t: Tensor): Variable {
    if (this.vars.has(name)) throw new Error(`parameter ${name} defined twice`);
    const v = tf.variable(t, true, freeVariableName(name));
    t.dispose();
    this.vars.set(name, v);
    return v;
  }

  /** A k×k convolution's filter and (unless `bias: false`) bias. */
  conv(name: string, k: number, cin: number, cout: number, o: InitOptions = {}): void {
    this.normal(`${name}.w`, [k, k, cin, cout], o.std ?? Math.sqrt(2 / (k * k * cin)));
    if (o.bias !== false) this.constant(`${name}.b`, [cout], o.bias ?? 0);
  }

  /** A constant, non-trainable tensor. */
  buffer(name: string, shape: number[], value: number): void {
    if (this.buffers.has(name) || this.vars.has(name)) throw new Error(`parameter ${name} defined twice`);
    this.buffers.set(name, tf.keep(tf.fill(shape, value)));
  }

  /** A parameter or buffer by name. */
  tensor(name: string): Tensor {
    const t = this.vars.get(name) ?? this.buffers.get(name);
    if (!t) throw new Error(`no parameter ${name}`);
    return t;
  }

  has(name: string): boolean {
    return this.vars.has(name) || this.buffers.has(name);
  }

  /** Overwrites a parameter or buffer with `data` of its shape (weights files). */
  setData(name: string, data: Float32Array): void {
    const t = this.tensor(name);
    if (data.length !== t.size) throw new Error(`parameter ${name}: ${data.length} values for shape [${t.shape.join(', ')}]`);
    const v = this.vars.get(name);
    if (v) v.assign(tf.tensor(data, v.shape));
    else {
      this.buffers.get(name)!.dispose();
      this.buffers.set(name, tf.keep(tf.tensor(data, t.shape)));
    }
  }

  bufferNames(): string[] {
    return [...this.buffers.keys()];
  }

  /** A fully connected layer. */
  dense(name: string, cin: number, cout: number, o: InitOptions = {}): void {
    this.normal(`${name}.w`, [cin, cout], o.std ?? Math.sqrt(2 / cin));
    this.constant(`${name}.b`, [cout], o.bias === false ? 0 : (o.bias ?? 0));
  }

  get(name: string): Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no parameter ${name}`);
    return v;
  }

  names(): string[] {
    return [...this.vars.keys()];
  }

  entries(): [string, Variable][] {
    return [...this.vars.entries()];
  }

  /** Applies conv `name` (bias added if it has one, optional ReLU); `pad` a number pads symmetrically as PyTorch does. */
  applyConv(name: string, x: Tensor4D, stride = 1, relu = true, pad: 'same' | 'valid' | number = 'same'): Tensor4D {
    const bias = this.vars.get(`${name}.b`);
    return conv(x, this.get(`${name}.w`) as Tensor4D, stride, pad, bias as Tensor1D | undefined, relu);
  }

  applyDense(name: string, x: Tensor2D, relu = true): Tensor2D {
    const y = tf.add(tf.matMul(x, this.get(`${name}.w`) as Tensor2D), this.get(`${name}.b`)) as Tensor2D;
    return relu ? tf.relu(y) : y;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    for (const b of this.buffers.values()) b.dispose();
    this.vars.clear();
    this.buffers.clear();
  }
}
