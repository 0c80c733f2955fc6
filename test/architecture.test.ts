import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from './helpers/paths.js';

/** The layer of a source file: its top folder, with the language printers counted in the core. */
function layerOf(file: string): string {
  const rel = relative(join(REPO, 'src'), file).replaceAll('\\', '/');
  if (/^render\/(prefix|infix|tree)\.ts$/.test(rel)) return 'symbolic';
  const top = rel.split('/')[0]!;
  if (top === 'detect') return 'train';
  return top.endsWith('.ts') ? 'root' : top;
}

const CORE = ['util', 'symbolic'];
/** Which layers each layer may import (ARCHITECTURE.md). */
const ALLOWED: Record<string, readonly string[]> = {
  util: ['util'],
  symbolic: CORE,
  verify: [...CORE, 'verify'],
  // The search trains proxy detectors and renders its report, so it sits above train and render.
  search: [...CORE, 'verify', 'data', 'metrics', 'render', 'train', 'search'],
  data: ['util', 'data'],
  metrics: ['util', 'data', 'metrics'],
  render: [...CORE, 'verify', 'render'],
  export: [...CORE, 'render', 'export'],
  train: [...CORE, 'data', 'metrics', 'render', 'verify', 'train'],
  cli: ['util', 'symbolic', 'verify', 'search', 'data', 'metrics', 'render', 'export', 'train', 'cli'],
  root: ['util', 'symbolic', 'verify', 'search', 'data', 'metrics', 'render', 'export', 'train'],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('architecture', () => {
  it('should import only along the layers of ARCHITECTURE.md', () => {
    const problems: string[] = [];
    for (const file of sources(join(REPO, 'src'))) {
      const from = layerOf(file);
      const allowed = ALLOWED[from];
      assert.ok(allowed, `no layer rule for ${relative(REPO, file)}`);
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)) {
        const target = resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts'));
        const to = layerOf(target);
        if (!allowed.includes(to)) problems.push(`${relative(REPO, file)} (${from}) imports ${m[1]} (${to})`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
