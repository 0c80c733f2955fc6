import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared fixtures: beside the checkout (../shared/fixtures) unless AUTOLOSS_FIXTURES says otherwise. */
export function fixture(name: string): string {
  const dir = process.env['AUTOLOSS_FIXTURES'] ?? join(REPO, '..', 'shared', 'fixtures');
  const p = join(dir, name);
  if (!existsSync(p)) throw new Error(`fixture ${p} not found; set AUTOLOSS_FIXTURES to the fixtures folder`);
  return p;
}
