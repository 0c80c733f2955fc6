import type { Command } from 'commander';
import { createRequire } from 'node:module';
import { BACKEND_REQUESTS, BACKEND_TABLE, type BackendRequest } from '../../train/backend-names.js';
import { choice } from '../options.js';

interface BackendsOptions {
  json?: boolean;
  check?: BackendRequest;
}

/** Installed version of a package, or undefined when it is not installed. */
function versionOf(pkg: string): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

export function register(program: Command): void {
  program
    .command('backends')
    .description('show the TensorFlow.js backends installed, and which one training uses (auto) and why')
    .option('--check <backend>', `start this backend instead of auto: ${BACKEND_REQUESTS.map((b) => `${b} (${BACKEND_TABLE[b].summary})`).join(' | ')}`, choice(BACKEND_REQUESTS))
    .option('--json', 'print JSON')
    .action(async (opts: BackendsOptions) => {
      // tfjs is heavy: loaded only when this command runs.
      const { probeNative, probeWebgpu, setupBackend, getTf } = await import('../../train/backend.js');
      const native = await probeNative();
      const webgpu = probeWebgpu();
      const choice = await setupBackend(opts.check ?? 'auto');
      const tf = getTf();
      const simd = choice.name === 'wasm' ? Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) : undefined;
      // The base package first, then each backend's from the slowest up.
      const packages = [...new Set([...BACKEND_REQUESTS].reverse().flatMap((b) => BACKEND_TABLE[b].packages))].map((pkg) => ({
        pkg,
        version: versionOf(pkg) ?? null,
        loads: native.probes.find((p) => p.pkg === pkg)?.ok ?? (versionOf(pkg) !== undefined ? true : false),
        error: native.probes.find((p) => p.pkg === pkg)?.error ?? null,
      }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ requested: opts.check ?? 'auto', backend: choice.name, reason: choice.reason, simd: simd ?? null, webgpu, packages })}\n`);
        return;
      }
      const lines = [`backend: ${choice.name}${opts.check ? '' : ' (auto)'}`, `why: ${choice.reason}`];
      lines.push(`webgpu: ${webgpu.ok ? `adapter ${webgpu.adapter}` : webgpu.error}`);
      if (simd !== undefined) lines.push(`wasm SIMD: ${simd ? 'yes' : 'no'}; threads: 1 (tfjs does not run wasm threads under Node)`);
      lines.push('packages:');
      for (const p of packages) {
        const state = p.version === null ? 'not installed' : p.error ? `installed ${p.version}, fails to load: ${p.error}` : `${p.version}`;
        lines.push(`  ${p.pkg.padEnd(32)} ${state}`);
      }
      if (choice.name !== 'tensorflow') lines.push('for the fastest training install @tensorflow/tfjs-node (CPU) or @tensorflow/tfjs-node-gpu (CUDA), which download libtensorflow');
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
