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
}

/** Every backend by the name `--backend` takes; `auto` tries the others from the fastest down. */
export const BACKEND_TABLE = {
  auto: { summary: 'the fastest that starts: tensorflow, then webgpu, then wasm, then cpu', packages: [] },
  tensorflow: { summary: 'libtensorflow, native (fastest; optional packages)', packages: ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] },
  webgpu: { summary: 'WebGPU on Dawn, when a GPU adapter is found', packages: ['@tensorflow/tfjs-backend-webgpu', 'webgpu'] },
  wasm: { summary: 'WebAssembly (XNNPACK, SIMD)', packages: ['@tensorflow/tfjs-backend-wasm'] },
  cpu: { summary: 'plain JavaScript (slowest)', packages: ['@tensorflow/tfjs'] },
} as const satisfies Record<string, BackendSpec>;

export type BackendRequest = keyof typeof BACKEND_TABLE;
/** A backend that runs: every request but `auto`. */
export type BackendName = Exclude<BackendRequest, 'auto'>;

export const BACKEND_REQUESTS = Object.keys(BACKEND_TABLE) as readonly BackendRequest[];

/** The optional packages behind each accelerated backend, in the order `auto` tries them. */
export const NATIVE_PACKAGES = BACKEND_TABLE.tensorflow.packages;
