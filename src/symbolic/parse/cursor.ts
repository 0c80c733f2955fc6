import type { Domain, InputName } from '../domains.js';
import { ParseError } from './errors.js';
import type { Token, TokenKind } from './lexer.js';

/**
 * Deepest nesting a parser accepts. Trees from the search are about 10 deep;
 * the limit keeps every recursive pass (printers, evaluator, simplifier) far
 * from the JS stack limit, and a 100,000-deep input gets a clear error.
 */
export const MAX_DEPTH = 1000;

export interface ParseContext {
  readonly domain: Domain;
  /** Accept `?name` pattern variables (rule and derivative templates). */
  readonly patterns: boolean;
  /** Maps an input's spelling in this syntax to its prefix name, for `domain`. */
  readonly inputs: ReadonlyMap<string, InputName>;
}

export class Cursor {
  pos = 0;
  constructor(
    readonly tokens: readonly Token[],
    readonly source: string,
  ) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.pos++;
    return t;
  }

  fail(problem: string, token: Token = this.peek()): never {
    throw new ParseError(problem, token.column, this.source);
  }

  expect(kind: TokenKind, what: string): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail(`expected ${what}, found ${describe(t)}`, t);
    return this.next();
  }

  checkDepth(depth: number, at: Token): void {
    if (depth > MAX_DEPTH) this.fail(`expression nests deeper than ${MAX_DEPTH} levels`, at);
  }
}

export function describe(t: Token): string {
  if (t.kind === 'end') return 'the end of the expression';
  return `'${t.text}'`;
}
