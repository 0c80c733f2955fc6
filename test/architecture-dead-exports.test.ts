import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// @ts-expect-error: a plain JavaScript script without type declarations.
import { deadExports } from '../scripts/dead-exports.mjs';

describe('architecture', () => {
  it('should export from src/ only what another file imports (scripts/dead-exports.mjs)', () => {
    const dead = (deadExports as () => { file: string; name: string }[])();
    assert.deepEqual(dead.map((d) => `${d.file}: ${d.name}`), []);
  });
});
