import type { Domain, InputName } from '../domains.js';
import { constant, input, named, pattern, type Node } from '../node.js';
import { parseDecimal } from '../rational.js';
import { NAMED_CONSTANTS } from '../registry.js';
import { ParseError } from './errors.js';
import type { Token, TokenKind } from './lexer.js';

/**
 * Deepest nesting a parser accepts. Trees from the search are about 10 deep;
 * the limit keeps every recursive pass (printers, evaluator, simplifier) far
 * from the JS stack limit, and a 100,000-deep input gets a clear error.
 */
const MAX_DEPTH = 1000;

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

/** The leaves and errors both syntaxes share. */
export function numberNode(cur: Cursor, t: Token, negative: boolean): Node {
  const r = parseDecimal((negative ? '-' : '') + t.text);
  if (!r) cur.fail(`number '${t.text}' is out of range`, t);
  return constant(r);
}

export function patternNode(cur: Cursor, ctx: ParseContext, t: Token): Node {
  if (!ctx.patterns) cur.fail(`pattern variable ${t.text} is only allowed in templates`, t);
  cur.next();
  return pattern(t.text.slice(1));
}

/** An input or a named constant; `callable` says whether the name is an operator that lacks its arguments. */
export function leafNode(cur: Cursor, ctx: ParseContext, t: Token, callable: (name: string) => boolean): Node {
  const name = ctx.inputs.get(t.text);
  if (name) return input(name);
  if (Object.hasOwn(NAMED_CONSTANTS, t.text)) return named(t.text as keyof typeof NAMED_CONSTANTS);
  if (callable(t.text)) cur.fail(`${t.text} needs arguments: ${t.text}(...)`, t);
  return cur.fail(`unknown input '${t.text}'`, t);
}

/** The error for a token where an operand should start. */
export function missingOperand(cur: Cursor, t: Token): never {
  if (t.kind === 'end') return cur.fail(cur.pos === 0 ? 'empty expression' : 'expression ends early: expected an operand', t);
  return cur.fail(`expected an operand, found ${describe(t)}`, t);
}
