/**
 * Parsing either syntax of SEMANTICS.md into an interned tree, with the
 * domain decided (given, or inferred from the inputs) and checked.
 */
import type { Domain } from '../domains.js';
import { DOMAINS } from '../domains.js';
import type { Node } from '../node.js';
import { Cursor, type ParseContext } from './cursor.js';
import { ParseError } from './errors.js';
import { tokenize } from './lexer.js';
import { parseInfixTokens } from './infix.js';
import { parsePrefixTokens } from './prefix.js';
import { detectSyntax, inputTable, resolveDomain, type Syntax } from './resolve-domain.js';
import { checkShapes } from './check-shapes.js';

export { ParseError } from './errors.js';
export type { Syntax } from './resolve-domain.js';

export interface ParseOptions {
  /** The domain; inferred from the inputs when absent. */
  readonly domain?: Domain;
  /** Force a syntax; detected when absent (capitalised names mean prefix). */
  readonly syntax?: Syntax;
  /** Accept `?a` pattern variables (templates only). */
  readonly patterns?: boolean;
}

export interface Parsed {
  readonly tree: Node;
  readonly domain: Domain;
  readonly syntax: Syntax;
}

/**
 * Parses a loss expression.
 *
 * @example
 * parse('Neg(Log(Sig(X)))', { domain: 'binary' }).tree
 * parse('1 - i/u').domain // 'reg'
 * @throws ParseError naming the problem and its 1-based column.
 */
export function parse(source: string, options: ParseOptions = {}): Parsed {
  const tokens = tokenize(source);
  if (tokens.length === 1) throw new ParseError('empty expression', 1, source);
  const syntax = options.syntax ?? detectSyntax(tokens);
  const domain = resolveDomain(tokens, source, syntax, options.domain);
  const ctx: ParseContext = { domain, patterns: options.patterns ?? false, inputs: inputTable(domain, syntax) };
  const cur = new Cursor(tokens, source);
  const tree = syntax === 'prefix' ? parsePrefixTokens(cur, ctx) : parseInfixTokens(cur, ctx);
  const rest = cur.peek();
  if (rest.kind !== 'end') {
    const problem = rest.kind === ')' ? `unbalanced ')': no '(' to close` : `unexpected text after the expression: '${rest.text}'`;
    throw new ParseError(problem, rest.column, source);
  }
  if (!DOMAINS[domain].classAxis) checkShapes(tokens, source, syntax);
  return { tree, domain, syntax };
}

/** Parses a prefix template with `?a`-style variables (rules, derivatives); domain-free. */
export function parseTemplate(source: string): Node {
  const tokens = tokenize(source);
  const inputs = new Map<string, never>();
  const cur = new Cursor(tokens, source);
  const tree = parsePrefixTokens(cur, { domain: 'binary', patterns: true, inputs });
  if (cur.peek().kind !== 'end') throw new ParseError('unexpected text after the template', cur.peek().column, source);
  return tree;
}
