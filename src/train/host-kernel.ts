/**
 * One JavaScript pass over tensors' values, writing new tensors, without the
 * copies tfjs's `dataSync` and `tf.tensor` make.
 *
 * On wasm a tensor's values live in the module's heap. `dataSync` copies
 * them into a fresh array and `tf.tensor` copies an array back in; fresh
 * multi-megabyte arrays cost page faults on first touch, which measured
 * several times the arithmetic of the passes between them (a 6.5 MB
 * float32 array: 8.2 ms to allocate and fill, 1.2 ms to fill one that
 * exists). Here the inputs are read, and the outputs allocated and written,
 * in the heap itself (any backend that offers such views). On the cpu backend `dataSync` already returns the
 * tensor's own array and a new tensor adopts its array. Other backends get
 * the copying path.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { Tf } from '../symbolic/op-spec.js';
import { WebAssemblyApi, type WasmMemory } from './wasm-emit.js';

/** A tensor's values as the pass sees them: float32 data, int32 labels, bool masks. */
export type HostArray = Float32Array | Int32Array | Uint8Array;

interface WasmBackend {
  makeOutput(shape: readonly number[], dtype: 'float32'): tfc.TensorInfo;
  typedArrayFromHeap(t: tfc.TensorInfo): HostArray;
}

interface TrackingEngine {
  makeTensorFromTensorInfo(info: tfc.TensorInfo): tfc.Tensor;
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The active backend when it hands out views of its memory (wasm does), by what it offers rather than its name. */
function heapBackend(tf: Tf): WasmBackend | undefined {
  const b = tf.backend() as unknown as Partial<WasmBackend>;
  return typeof b.typedArrayFromHeap === 'function' && typeof b.makeOutput === 'function' ? (b as WasmBackend) : undefined;
}

/**
 * Runs `body` over the values of `inputs` and returns float32 tensors of
 * `outputs`' shapes with the values `body` wrote (outputs start as zeros).
 * The arrays are views into the backend's memory, valid only during `body`:
 * `body` must not run tfjs ops, and must not write into its inputs.
 *
 * @example
 * const [y] = hostKernel(tf, [x], [x.shape], ([a], [b]) => { for (let i = 0; i < a.length; i++) b[i] = 2 * a[i]; });
 */
export function hostKernel(tf: Tf, inputs: readonly tfc.Tensor[], outputs: readonly (readonly number[])[], body: (ins: HostArray[], outs: Float32Array[]) => void): tfc.Tensor[] {
  const b = heapBackend(tf);
  if (b) {
    const infos = outputs.map((s) => b.makeOutput(s, 'float32'));
    // Views only after every allocation: an allocation may grow the heap and detach earlier views.
    const ins = inputs.map((t) => b.typedArrayFromHeap(t));
    const outs = infos.map((i) => b.typedArrayFromHeap(i) as Float32Array);
    for (const o of outs) o.fill(0);
    body(ins, outs);
    const engine = tf.engine() as unknown as TrackingEngine;
    return infos.map((i) => engine.makeTensorFromTensorInfo(i));
  }
  const ins = inputs.map((t) => t.dataSync() as HostArray);
  const outs = outputs.map((s) => new Float32Array(sizeOf(s)));
  body(ins, outs);
  return outs.map((o, k) => tf.tensor(o, outputs[k] as number[], 'float32'));
}

/** What a backend that keeps tensors in one WebAssembly memory (wasm) offers beyond heap views. */
export interface WasmHeapBackend extends WasmBackend {
  wasm: { asm: { memory: WasmMemory } };
  disposeData(id: object): boolean;
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
}

function wasmHeapBackend(tf: Tf): WasmHeapBackend | undefined {
  const b = heapBackend(tf) as Partial<WasmHeapBackend> | undefined;
  return b && b.wasm?.asm?.memory instanceof WebAssemblyApi.Memory && typeof b.dataIdMap?.get === 'function' ? (b as WasmHeapBackend) : undefined;
}

/** The memory the active backend keeps its tensors in, where it keeps them in one WebAssembly memory. */
export function backendMemory(tf: Tf): WasmMemory | undefined {
  return wasmHeapBackend(tf)?.wasm.asm.memory;
}

/**
 * Like `hostKernel`, for a body that runs WebAssembly on the backend's own
 * memory: it gets the byte address of each input's values, then of each of
 * `arrays` (copied into the heap for the call and freed after it: tables
 * the kernel reads, such as indices), and of each output's (outputs start
 * as zeros). Undefined, running nothing, where the backend does not keep
 * its tensors in one WebAssembly memory.
 */
export function heapKernel(tf: Tf, inputs: readonly tfc.Tensor[], outputs: readonly (readonly number[])[], body: (ins: number[], outs: number[]) => void, arrays: readonly (Float32Array | Int32Array)[] = []): tfc.Tensor[] | undefined {
  const b = wasmHeapBackend(tf);
  if (!b) return undefined;
  const infos = outputs.map((s) => b.makeOutput(s, 'float32'));
  const temps = arrays.map((a) => b.makeOutput([a.length], 'float32'));
  // Views only after every allocation: an allocation may grow the heap and detach earlier views.
  for (const i of infos) (b.typedArrayFromHeap(i) as Float32Array).fill(0);
  const at = (t: tfc.TensorInfo): number => b.dataIdMap.get(t.dataId)!.memoryOffset;
  const buffer = b.wasm.asm.memory.buffer;
  arrays.forEach((a, k) => (a instanceof Int32Array ? new Int32Array(buffer, at(temps[k]!), a.length) : new Float32Array(buffer, at(temps[k]!), a.length)).set(a));
  try {
    body([...inputs.map(at), ...temps.map(at)], infos.map(at));
  } finally {
    for (const t of temps) b.disposeData(t.dataId);
  }
  const engine = tf.engine() as unknown as TrackingEngine;
  return infos.map((i) => engine.makeTensorFromTensorInfo(i));
}

/** Copies the values of float32 tensor `t` into `target` at `offset`, straight from the backend's memory where it can. */
export function copyValues(tf: Tf, t: tfc.Tensor, target: Float32Array, offset = 0): void {
  const b = heapBackend(tf);
  target.set((b ? b.typedArrayFromHeap(t) : t.dataSync()) as Float32Array, offset);
}

/**
 * acc[ch] = Σ x over the pixels [base, end) of channel-minor values with
 * `c` channels, in float64. Eight pixels go into each update of a channel's
 * sum: one per value made the accumulator's load and store the loop's cost
 * (3.5× slower at 262k values).
 */
export function channelSums(x: Float32Array, base: number, end: number, c: number, acc: Float64Array): void {
  acc.fill(0);
  const c8 = 8 * c;
  let i = base;
  for (; i + c8 <= end; i += c8)
    for (let ch = 0; ch < c; ch++) {
      const k = i + ch;
      acc[ch]! += x[k]! + x[k + c]! + (x[k + 2 * c]! + x[k + 3 * c]!) + (x[k + 4 * c]! + x[k + 5 * c]! + (x[k + 6 * c]! + x[k + 7 * c]!));
    }
  for (; i < end; i += c) for (let ch = 0; ch < c; ch++) acc[ch]! += x[i + ch]!;
}
