/**
 * Choosing and starting the TensorFlow.js backend that training runs on.
 *
 * `tensorflow` (libtensorflow through `@tensorflow/tfjs-node-gpu` or
 * `@tensorflow/tfjs-node`) is by far the fastest, but those packages download
 * a native library when installed and are often absent, so they are optional
 * and loaded with a dynamic import. `webgpu` (`@tensorflow/tfjs-backend-webgpu`
 * on Dawn through the `webgpu` package, whose binaries ship inside it) runs on
 * a GPU when the machine has an adapter; whether it has one is asked in a
 * child process, so that a missing or broken driver can neither print into
 * the run's output nor take the process down. Without them `wasm` (XNNPACK,
 * SIMD) is the fastest pure backend; `cpu` is plain JavaScript and the slowest. Every
 * backend trains convolutions: `conv.ts` supplies the filter gradient that
 * `wasm` lacks, installed here when a backend starts.
 */
import * as tfc from '@tensorflow/tfjs-core';
// The union package registers every op's gradient (tfjs-core alone registers none) and the cpu backend.
import '@tensorflow/tfjs';
import type { Tf } from '../symbolic/op-spec.js';
import { spawnSync } from 'node:child_process';
import { BACKEND_REQUESTS, NATIVE_PACKAGES, type BackendName, type BackendRequest } from './backend-names.js';
import { installConvGradient } from './conv.js';
import { installMatMulGradient } from './matmul.js';
import { installSharedIdentity } from './wasm-identity.js';
import { installSimdConv } from './conv-simd.js';
import { UserError } from '../util/errors.js';

export type { BackendRequest } from './backend-names.js';

export interface BackendChoice {
  /** The backend now active. */
  readonly name: BackendName;
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


let current: Tf = tfc;
let wasmRegistered = false;

/**
 * The tfjs namespace in use. Before `setupBackend` it is `@tensorflow/tfjs-core`
 * on whatever backend tfjs picks itself; call `setupBackend` first for training.
 */
export function getTf(): Tf {
  return current;
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

/** Whether WebGPU (Dawn, through the `webgpu` package) finds an adapter here. */
export interface WebgpuProbe {
  readonly ok: boolean;
  /** The adapter's vendor and architecture or description when found. */
  readonly adapter?: string;
  /** Why not: the package missing, no adapter, or the probe's error. */
  readonly error?: string;
}

let webgpuProbe: WebgpuProbe | undefined;

/**
 * Asks Dawn for a GPU adapter in a child process (once per process; the
 * answer is cached). Never throws: no package, no adapter, a driver that
 * crashes or a probe that hangs (20 s) are all an answer with a reason.
 */
export function probeWebgpu(): WebgpuProbe {
  if (webgpuProbe) return webgpuProbe;
  let href: string;
  try {
    href = import.meta.resolve('webgpu');
    import.meta.resolve('@tensorflow/tfjs-backend-webgpu');
  } catch {
    return (webgpuProbe = { ok: false, error: 'not installed (optional packages webgpu, @tensorflow/tfjs-backend-webgpu)' });
  }
  const code = `const { create, globals } = await import(${JSON.stringify(href)}); Object.assign(globalThis, globals);
const a = await create([]).requestAdapter();
const i = a && a.info ? a.info : {};
process.stdout.write(JSON.stringify(a ? { ok: true, adapter: [i.vendor, i.architecture, i.description].filter(Boolean).join(' ') || 'unnamed adapter' } : { ok: false, error: 'no GPU adapter found' }));
process.exit(0);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 20_000 });
  try {
    const p = JSON.parse(r.stdout) as WebgpuProbe;
    // Dawn says on stderr why it found nothing (e.g. no Vulkan loader); keep its first line.
    const said = (r.stderr || '').split('\n').find((l) => /warning|error/i.test(l))?.replace(/^\s*(Warning|Error):\s*/i, '').trim();
    return (webgpuProbe = p.ok || !said ? p : { ok: false, error: `${p.error}: ${said}` });
  } catch {
    const why = r.error?.message ?? (r.signal ? `probe killed by ${r.signal}` : (r.stderr || '').split('\n').find((l) => l.trim()) ?? `probe exited with code ${r.status}`);
    return (webgpuProbe = { ok: false, error: why.trim() });
  }
}

async function startWebgpu(): Promise<{ ok: true; adapter: string } | { ok: false; error: string }> {
  const probe = probeWebgpu();
  if (!probe.ok) return { ok: false, error: probe.error ?? 'no GPU adapter found' };
  try {
    const { create, globals } = (await import('webgpu' as string)) as { create: (o: string[]) => unknown; globals: object };
    Object.assign(globalThis, globals);
    const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
    if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
    if (!g.navigator!.gpu) Object.defineProperty(g.navigator, 'gpu', { value: create([]), configurable: true });
    await import('@tensorflow/tfjs-backend-webgpu' as string);
    if (!(await tfc.setBackend('webgpu'))) return { ok: false, error: 'the webgpu backend failed to initialise' };
    await tfc.ready();
    return { ok: true, adapter: probe.adapter ?? 'GPU' };
  } catch (e) {
    return { ok: false, error: firstLine(e) };
  }
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
  installSharedIdentity(tf);
  installSimdConv(tf);
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
 * `webgpu` (when a GPU adapter is found), then `wasm` (XNNPACK), then `cpu`. Asking for `tensorflow` or `wasm` by name fails
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
  if (requested === 'webgpu') {
    const g = await startWebgpu();
    if (!g.ok) throw new BackendError(`backend webgpu cannot start: ${g.error}`);
    return finish(tfc, { name: 'webgpu', reason: `requested webgpu (Dawn, adapter: ${g.adapter})` });
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
  const g = await startWebgpu();
  if (g.ok) return finish(tfc, { name: 'webgpu', reason: `tensorflow unavailable (${missing}); using webgpu (Dawn, adapter: ${g.adapter})` });
  const noGpu = `webgpu unavailable (${g.error})`;
  const w = await startWasm();
  if (w.ok) {
    return finish(tfc, { name: 'wasm', reason: `tensorflow unavailable (${missing}); ${noGpu}; using wasm (XNNPACK${w.simd ? ', SIMD' : ', no SIMD'})` });
  }
  await startCpu();
  return finish(tfc, { name: 'cpu', reason: `tensorflow unavailable (${missing}); ${noGpu}; wasm failed (${w.error}); using cpu (plain JavaScript, slow)` });
}
