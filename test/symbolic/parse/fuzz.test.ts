import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BUILTIN_LOSSES } from '../../../src/symbolic/builtins.js';
import { toPrefix } from '../../../src/render/prefix.js';
import { size } from '../../../src/symbolic/node.js';
import { parse, ParseError } from '../../../src/symbolic/parse/index.js';

/**
 * The parser's whole contract on arbitrary text: a tree, or a ParseError with
 * a column inside the text. No time bound here: speed is bench's business,
 * and a wall-clock bound fails on a loaded machine, not on a slow parser.
 */
function check(source: string): void {
  try {
    const r = parse(source);
    assert.ok(r.tree && r.domain);
  } catch (e) {
    assert.ok(e instanceof ParseError, `threw ${String(e)} for ${JSON.stringify(source.slice(0, 80))}`);
    assert.ok(Number.isInteger(e.column) && e.column >= 1 && e.column <= source.length + 1, `column ${e.column}`);
  }
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

  it('should parse inputs just under 10 kB, deeply nested or wide, without overflowing the stack', () => {
    const sum = Array.from({ length: 700 }, (_, k) => `Div(I,${(k % 3) + 1})`).reduce((a, b) => `Add(${a},${b})`);
    assert.ok(sum.length > 9_000 && sum.length < 10_000, `${sum.length} chars`);
    const wide = parse(sum, { domain: 'reg' });
    assert.equal(wide.domain, 'reg');
    assert.equal(toPrefix(wide.tree), sum);
    // 1,600 nested calls: refused at the limit of 1,000 levels, at the X after the 1,000th
    // 'Add(' (columns 5995–5998), not by a stack overflow.
    const open = 'Add(X,'.repeat(1600);
    assert.throws(() => parse(open), (e: unknown) => e instanceof ParseError && e.column === 5999 && /deeper than 1000 levels/.test(e.message));
    const chain = parse('x+'.repeat(4990) + 'x', { domain: 'binary' });
    assert.equal(size(chain.tree), 2 * 4990 + 1);
  });
});
