/**
 * The backends training can ask for, in one table that the CLI and
 * `backend.ts` both read. Kept free of tfjs so that loading the CLI does not
 * load it.
 */
export const BACKEND_REQUESTS = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendRequest = (typeof BACKEND_REQUESTS)[number];

/** The optional packages behind each accelerated backend, in the order `auto` tries them. */
export const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
export const WEBGPU_PACKAGES = ['@tensorflow/tfjs-backend-webgpu', 'webgpu'] as const;
