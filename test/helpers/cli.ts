import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './paths.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI (`npm test` builds it first) as a user would. */
export function cli(args: readonly string[], options: { input?: string; cwd?: string; timeout?: number; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'autoloss.js'), ...args], {
    cwd: options.cwd ?? REPO,
    input: options.input,
    encoding: 'utf8',
    timeout: options.timeout ?? 120_000,
    env: { ...process.env, ...options.env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
