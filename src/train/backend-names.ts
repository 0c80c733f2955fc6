/**
 * The backends training can ask for, in one table that the CLI, the docs'
 * test and `backend.ts` read. Kept free of tfjs so that loading the CLI does
 * not load it.
 */

export interface BackendSpec {
  /** What it runs on, for help text and docs. */
  readonly summary: string;
  /** The packages behind it, in the order they are tried (the first that loads is used). */
  readonly packages: readonly string[];
  /**
   * Whether its tensors live in host memory: there, one JavaScript pass over
   * a tensor's values (fused kernels, targets, GroupNorm) costs no transfer,
   * while on a GPU it would be a synchronous read-back.
   */
  readonly host: boolean;
}

/** Every backend by the name `--backend` takes; `auto` tries the others from the fastest down. */
export const BACKEND_TABLE = {
  auto: { summary: 'the fastest that starts: tensorflow, then webgpu, then wasm, then cpu', packages: [], host: false },
  tensorflow: { summary: 'libtensorflow, native (fastest; optional packages)', packages: ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'], host: false },
  webgpu: { summary: 'WebGPU on Dawn, when a GPU adapter is found', packages: ['@tensorflow/tfjs-backend-webgpu', 'webgpu'], host: false },
  wasm: { summary: 'WebAssembly (XNNPACK, SIMD)', packages: ['@tensorflow/tfjs-backend-wasm'], host: true },
  cpu: { summary: 'plain JavaScript (slowest)', packages: ['@tensorflow/tfjs'], host: true },
} as const satisfies Record<string, BackendSpec>;

export type BackendRequest = keyof typeof BACKEND_TABLE;
/** A backend that runs: every request but `auto`. */
export type BackendName = Exclude<BackendRequest, 'auto'>;

export const BACKEND_REQUESTS = Object.keys(BACKEND_TABLE) as readonly BackendRequest[];

/** The optional packages behind each accelerated backend, in the order `auto` tries them. */
export const NATIVE_PACKAGES = BACKEND_TABLE.tensorflow.packages;

/** True when backend `name` (as tfjs reports it) keeps tensors in host memory (`BackendSpec.host`). */
export function onHostMemory(name: string): boolean {
  return (BACKEND_TABLE as Record<string, BackendSpec>)[name]?.host ?? false;
}
