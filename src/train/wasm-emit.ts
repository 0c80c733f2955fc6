/**
 * A small WebAssembly binary writer: enough of the format (types, one
 * imported memory, functions of i32 parameters, exports) and of the
 * instruction set (i32 arithmetic, structured loops, SIMD loads, stores and
 * f32x4 arithmetic) to write kernels that work on a tfjs-wasm heap in place.
 *
 * tfjs-wasm's XNNPACK kernels reach some computations only through layout
 * changes and operand packing that cost more than the arithmetic (the
 * filter gradient: docs/tensor.md). A kernel written here imports the
 * backend's own `WebAssembly.Memory` and reads tensors where they are.
 */

/** The part of the WebAssembly JavaScript API used here (TypeScript declares it only in the DOM library). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => WasmMemory;
}
export const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Value types used by the kernels. */
export const I32 = 0x7f;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof V128;

/** Unsigned LEB128. */
function uleb(n: number, out: number[]): void {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

/** Signed LEB128 of a 32-bit integer. */
function sleb(n: number, out: number[]): void {
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

/** `n` as its unsigned LEB128 bytes. */
function u32(n: number): number[] {
  const out: number[] = [];
  uleb(n, out);
  return out;
}

/** A name: its UTF-8 length, then its bytes. */
function name(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...u32(b.length), ...b];
}

/** Section `id` holding the vector `items`, each already encoded. */
function section(id: number, items: readonly number[][], out: number[]): void {
  const body = [...u32(items.length), ...items.flat()];
  out.push(id, ...u32(body.length), ...body);
}

/** The body of one function: its locals and its instructions, written in order. */
export class Code {
  readonly bytes: number[] = [];
  private readonly locals: ValType[] = [];

  constructor(private readonly params: number) {}

  /** A new local of type `t`; its index. */
  local(t: ValType): number {
    this.locals.push(t);
    return this.params + this.locals.length - 1;
  }

  get(i: number): this {
    return this.op(0x20).u(i);
  }
  set(i: number): this {
    return this.op(0x21).u(i);
  }
  tee(i: number): this {
    return this.op(0x22).u(i);
  }
  i32(n: number): this {
    this.bytes.push(0x41);
    sleb(n | 0, this.bytes);
    return this;
  }
  add(): this {
    return this.op(0x6a);
  }
  sub(): this {
    return this.op(0x6b);
  }
  mul(): this {
    return this.op(0x6c);
  }
  ltS(): this {
    return this.op(0x48);
  }
  geS(): this {
    return this.op(0x4e);
  }
  /** `block` (void block type); `br` to it leaves it. */
  block(): this {
    return this.op(0x02, 0x40);
  }
  /** `loop` (void block type); `br` to it repeats it. */
  loop(): this {
    return this.op(0x03, 0x40);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c).u(depth);
  }
  brIf(depth: number): this {
    return this.op(0x0d).u(depth);
  }
  /** local[i] += n. */
  inc(i: number, n: number): this {
    return this.get(i).i32(n).add().set(i);
  }
  /** local[i] += local[j]. */
  incBy(i: number, j: number): this {
    return this.get(i).get(j).add().set(i);
  }
  i32Load(offset: number): this {
    return this.op(0x28).u(2).u(offset);
  }
  v128Load(offset: number): this {
    return this.simd(0x00).u(0).u(offset);
  }
  v128Store(offset: number): this {
    return this.simd(0x0b).u(0).u(offset);
  }
  load32Splat(offset: number): this {
    return this.simd(0x09).u(0).u(offset);
  }
  v128Zero(): this {
    this.simd(0x0c);
    for (let i = 0; i < 16; i++) this.bytes.push(0);
    return this;
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  /** a < b ? b : a, lane by lane (one instruction on x64; a NaN in `a` stays). */
  f32x4Pmax(): this {
    return this.simd(0xeb);
  }

  /** The encoded body: local declarations, instructions and the final `end`. */
  encode(): number[] {
    const body: number[] = [];
    const runs: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb(runs.length, body);
    for (const [n, t] of runs) {
      uleb(n, body);
      body.push(t);
    }
    body.push(...this.bytes, 0x0b);
    const out: number[] = [];
    uleb(body.length, out);
    out.push(...body);
    return out;
  }

  private op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  private u(n: number): this {
    uleb(n, this.bytes);
    return this;
  }
  private simd(op: number): this {
    this.bytes.push(0xfd);
    uleb(op, this.bytes);
    return this;
  }
}

/** A function to export: its name, its number of i32 parameters (no results) and its body. */
export interface ExportedFunction {
  readonly name: string;
  readonly params: number;
  readonly code: Code;
}

/** A module that imports `env.memory` and exports `functions`. */
export function wasmModule(functions: readonly ExportedFunction[]): Uint8Array {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  // One type per function: (i32 × params) → ().
  section(1, functions.map((f) => [0x60, ...u32(f.params), ...Array<number>(f.params).fill(I32), 0]), out);
  // env.memory, limits: min 1 page, no maximum.
  section(2, [[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]], out);
  section(3, functions.map((_, i) => u32(i)), out);
  section(7, functions.map((f, i) => [...name(f.name), 0x00, ...u32(i)]), out);
  section(10, functions.map((f) => f.code.encode()), out);
  return new Uint8Array(out);
}

/**
 * `functions` as a module compiled once, instantiated once per memory (each
 * worker's backend has its own); undefined where the engine rejects the
 * module (no wasm SIMD).
 */
export function kernelsPerMemory<K>(functions: () => readonly ExportedFunction[]): (memory: WasmMemory) => K | undefined {
  let compiled: object | null | undefined;
  const instances = new WeakMap<WasmMemory, K>();
  return (memory) => {
    const hit = instances.get(memory);
    if (hit) return hit;
    if (compiled === undefined) {
      const bytes = wasmModule(functions());
      compiled = WebAssemblyApi.validate(bytes) ? new WebAssemblyApi.Module(bytes) : null;
    }
    if (!compiled) return undefined;
    const k = new WebAssemblyApi.Instance(compiled, { env: { memory } }).exports as unknown as K;
    instances.set(memory, k);
    return k;
  };
}
