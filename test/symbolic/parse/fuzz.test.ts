import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BUILTIN_LOSSES } from '../../../src/symbolic/builtins.js';
import { parse, ParseError } from '../../../src/symbolic/parse/index.js';

/** The parser's whole contract on arbitrary text: a tree, or a ParseError with a column inside the text. */
function check(source: string): void {
  const t0 = performance.now();
  try {
    const r = parse(source);
    assert.ok(r.tree && r.domain);
  } catch (e) {
    assert.ok(e instanceof ParseError, `threw ${String(e)} for ${JSON.stringify(source.slice(0, 80))}`);
    assert.ok(Number.isInteger(e.column) && e.column >= 1 && e.column <= source.length + 1, `column ${e.column}`);
  }
  const ms = performance.now() - t0;
  if (source.length < 10_000) assert.ok(ms < 50, `${ms.toFixed(1)} ms for ${source.length} chars`);
}

const alphabet = fc.constantFrom(...'()(),,XYZQUIE+-*/^ 0123.e?', 'Add', 'Neg', 'Div', 'Sig', 'Dot', 'Softmax', 'PY', 'NY', 'sig', 'x', 'u', 'dot', '1e5');
const published = BUILTIN_LOSSES.map((b) => b.prefix);

describe('parser fuzz', () => {
  it('should return a tree or a ParseError for 5,000 random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200, unit: 'binary' }), check), { numRuns: 2500 });
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 120 }).map((a) => a.join('')), check), { numRuns: 2500 });
  });

  it('should return a tree or a ParseError for 6,000 mutations of the published strings', () => {
    const mutation = fc
      .tuple(fc.constantFrom(...published), fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom(...'(),XUE1-+ ', 'Neg(', 'Add(')), { minLength: 1, maxLength: 6 }))
      .map(([s, edits]) => {
        let out = s;
        for (const [pos, kind, text] of edits) {
          const p = pos % (out.length + 1);
          if (kind === 0) out = out.slice(0, p) + out.slice(p + 1);
          else if (kind === 1) out = out.slice(0, p) + text + out.slice(p);
          else if (kind === 2) out = out.slice(0, p) + text + out.slice(p + 1);
          else out = out.slice(0, p) + out.slice(p, p + 10) + out.slice(p);
        }
        return out;
      });
    fc.assert(fc.property(mutation, check), { numRuns: 6000 });
  });

  it('should parse inputs just under 10 kB within 50 ms', () => {
    const wide = Array.from({ length: 1200 }, (_, k) => `Div(I,${k % 3 + 1})`).reduce((a, b) => `Add(${a},${b})`.slice(0, 9990));
    check(wide);
    check('Add(X,'.repeat(1600));
    check('x+'.repeat(4990) + 'x');
  });
});
