import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse, ParseError } from '../../../src/symbolic/parse/index.js';
import type { Domain } from '../../../src/symbolic/domains.js';

function fails(source: string, column: number, pattern: RegExp, domain?: Domain): void {
  assert.throws(
    () => parse(source, { domain }),
    (e: unknown) => {
      assert.ok(e instanceof ParseError, `not a ParseError: ${String(e)}`);
      assert.equal(e.column, column, `${source}: ${e.message}`);
      assert.match(e.problem, pattern);
      return true;
    },
  );
}

describe('parse errors', () => {
  it('should name an unknown operator and its column', () => fails('Add(Foo(X),1)', 5, /unknown operator 'Foo'/));
  it('should name an unknown input and its column', () => fails('Add(X,W)', 7, /unknown input 'W'/));
  it('should name an unknown infix function', () => fails('1 + sigmoid(x)', 5, /unknown function 'sigmoid'/));
  it('should report a wrong number of arguments at the operator', () => {
    fails('Add(X)', 1, /Add takes 2 arguments, got 1/);
    fails('Neg(Sig(X,X))', 5, /Sig takes 1 argument, got 2/);
    fails('1 + dot(x)', 5, /dot takes 2 arguments, got 1/);
  });
  it('should report an input the domain lacks', () => fails('Add(X,Q)', 7, /'Q' is not in domain multi/, 'multi'));
  it('should report inputs of two domains', () => fails('Add(X,U)', 7, /does not share a domain/));
  it('should report unbalanced parentheses', () => {
    fails('Add(X,Neg(X)', 13, /missing '\)' to close 'Add\(' opened at column 4/);
    fails('Neg(X))', 7, /unbalanced '\)'/);
    fails('(1 + x', 7, /missing '\)'/);
  });
  it('should report trailing text', () => fails('Neg(X) Y', 8, /unexpected text after the expression/));
  it('should report empty input', () => {
    fails('', 1, /empty expression/);
    fails('   ', 1, /empty expression/);
  });
  it('should report a stray character', () => fails('Add(X,$)', 7, /unexpected character "\$"/));
  it('should reject Softmax in reg', () => fails('Softmax(U)', 1, /class axis/));
  it('should reject a bad exponent', () => fails('x^y', 3, /positive integer/));
  it('should reject nesting deeper than the limit with a clear error, not a stack overflow', () => {
    const deep = 'Neg('.repeat(100_000) + 'X' + ')'.repeat(100_000);
    assert.throws(() => parse(deep), (e: unknown) => e instanceof ParseError && /nests deeper/.test(e.problem));
    const deepInfix = '('.repeat(100_000) + 'x' + ')'.repeat(100_000);
    assert.throws(() => parse(deepInfix), (e: unknown) => e instanceof ParseError && /nests deeper/.test(e.problem));
    const minus = '-'.repeat(100_000) + 'x';
    assert.throws(() => parse(minus), (e: unknown) => e instanceof ParseError && /nests deeper/.test(e.problem));
  });
});
