/**
 * Choosing and starting the TensorFlow.js backend that training runs on.
 *
 * `tensorflow` (libtensorflow through `@tensorflow/tfjs-node-gpu` or
 * `@tensorflow/tfjs-node`) is by far the fastest, but those packages download
 * a native library when installed and are often absent, so they are optional
 * and loaded with a dynamic import. Without them `wasm` (XNNPACK, SIMD) is the
 * fastest pure backend; `cpu` is plain JavaScript and the slowest. Every
 * backend trains convolutions: `conv.ts` supplies the filter gradient that
 * `wasm` lacks, installed here when a backend starts.
 */
import * as tfc from '@tensorflow/tfjs-core';
// The union package registers every op's gradient (tfjs-core alone registers none) and the cpu backend.
import '@tensorflow/tfjs';
import type { Tf } from '../symbolic/op-spec.js';
import { installConvGradient } from './conv.js';
import { installMatMulGradient } from './matmul.js';
import { UserError } from '../util/errors.js';

export type BackendRequest = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

export interface BackendChoice {
  /** tfjs backend name now active: `tensorflow`, `wasm` or `cpu`. */
  readonly name: string;
  /** One line saying why this backend, including why faster ones were not used. */
  readonly reason: string;
}

/** What loading one optional native package gave. */
export interface NativeProbe {
  readonly pkg: string;
  readonly ok: boolean;
  /** The import error's first line when it failed. */
  readonly error?: string;
}

const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

let current: Tf = tfc;
let active: BackendChoice | undefined;
let wasmRegistered = false;

/**
 * The tfjs namespace in use. Before `setupBackend` it is `@tensorflow/tfjs-core`
 * on whatever backend tfjs picks itself; call `setupBackend` first for training.
 */
export function getTf(): Tf {
  return current;
}

/** The last choice `setupBackend` made, if any. */
export function activeBackend(): BackendChoice | undefined {
  return active;
}

function firstLine(e: unknown, pkg?: string): string {
  const msg = e instanceof Error ? e.message : String(e);
  // The package itself missing, as opposed to an installed package whose native library fails to load.
  if (pkg && (msg.includes(`Cannot find package '${pkg}'`) || msg.includes(`Cannot find module '${pkg}'`))) return 'not installed';
  return msg.split('\n')[0]!.trim();
}

/**
 * Tries the native TensorFlow packages in order of speed. A failed import is
 * reported, never thrown: the packages are optional.
 */
export async function probeNative(): Promise<{ probes: NativeProbe[]; loaded?: { pkg: string; tf: Tf } }> {
  const probes: NativeProbe[] = [];
  for (const pkg of NATIVE_PACKAGES) {
    try {
      const mod = (await import(pkg)) as Tf;
      probes.push({ pkg, ok: true });
      return { probes, loaded: { pkg, tf: mod } };
    } catch (e) {
      probes.push({ pkg, ok: false, error: firstLine(e, pkg) });
    }
  }
  return { probes };
}

async function startWasm(): Promise<{ ok: true; simd: boolean } | { ok: false; error: string }> {
  try {
    if (!wasmRegistered) {
      await import('@tensorflow/tfjs-backend-wasm');
      wasmRegistered = true;
    }
    const ok = await tfc.setBackend('wasm');
    if (!ok) return { ok: false, error: 'the wasm backend failed to initialise' };
    await tfc.ready();
    const simd = Boolean(await tfc.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    return { ok: true, simd };
  } catch (e) {
    return { ok: false, error: firstLine(e) };
  }
}

async function startCpu(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
  await tfc.setBackend('cpu');
  await tfc.ready();
  // The cpu backend prints a multi-line advert for tfjs-node on its first tensor; `autoloss backends` says it once, plainly.
  (tfc.backend() as unknown as { firstUse?: boolean }).firstUse = false;
}

function finish(tf: Tf, choice: BackendChoice): BackendChoice {
  current = tf;
  installConvGradient(tf);
  installMatMulGradient(tf);
  active = choice;
  return choice;
}

/** Error for a backend that was asked for by name but cannot start; the CLI shows it as a user error. */
export class BackendError extends UserError {
  override readonly name = 'BackendError';
}

/**
 * Starts a backend and says which one and why.
 *
 * `auto` tries `@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`, then
 * `wasm` (XNNPACK), then `cpu`. Asking for `tensorflow` or `wasm` by name fails
 * with a BackendError when it cannot start, rather than silently running slower.
 *
 * @example
 * const { name, reason } = await setupBackend('auto');
 * // name 'wasm', reason 'tensorflow unavailable (@tensorflow/tfjs-node-gpu: Cannot find package …); using wasm (XNNPACK, SIMD)'
 * const tf = getTf();
 */
export async function setupBackend(requested: BackendRequest = 'auto'): Promise<BackendChoice> {
  if (!BACKEND_REQUESTS.includes(requested)) {
    throw new BackendError(`unknown backend '${String(requested)}'; expected one of ${BACKEND_REQUESTS.join(', ')}`);
  }
  if (requested === 'cpu') {
    await startCpu();
    return finish(tfc, { name: 'cpu', reason: 'requested cpu (plain JavaScript kernels, slowest)' });
  }
  if (requested === 'wasm') {
    const w = await startWasm();
    if (!w.ok) throw new BackendError(`backend wasm cannot start: ${w.error}`);
    return finish(tfc, { name: 'wasm', reason: `requested wasm (XNNPACK${w.simd ? ', SIMD' : ', no SIMD'})` });
  }
  const native = await probeNative();
  const missing = native.probes
    .filter((p) => !p.ok)
    .map((p) => `${p.pkg}: ${p.error}`)
    .join('; ');
  if (native.loaded) {
    const tf = native.loaded.tf;
    await tf.setBackend('tensorflow');
    await tf.ready();
    return finish(tf, {
      name: 'tensorflow',
      reason: `${requested === 'auto' ? 'fastest available' : 'requested tensorflow'}: libtensorflow through ${native.loaded.pkg}`,
    });
  }
  if (requested === 'tensorflow') {
    throw new BackendError(`backend tensorflow unavailable (${missing}); install @tensorflow/tfjs-node or use --backend wasm`);
  }
  const w = await startWasm();
  if (w.ok) {
    return finish(tfc, { name: 'wasm', reason: `tensorflow unavailable (${missing}); using wasm (XNNPACK${w.simd ? ', SIMD' : ', no SIMD'})` });
  }
  await startCpu();
  return finish(tfc, { name: 'cpu', reason: `tensorflow unavailable (${missing}); wasm failed (${w.error}); using cpu (plain JavaScript, slow)` });
}
