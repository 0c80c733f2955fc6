import { ParseError } from './errors.js';

export type TokenKind = 'number' | 'ident' | 'pattern' | '(' | ')' | ',' | '+' | '-' | '*' | '/' | '^' | 'end';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 1-based column of the first character. */
  readonly column: number;
}

const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const PATTERN = /\?[A-Za-z_][A-Za-z0-9_]*/y;
const PUNCT = new Set(['(', ')', ',', '+', '-', '*', '/', '^']);

/** Splits an expression into tokens; the last token is always `end`. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    if (PUNCT.has(ch)) {
      tokens.push({ kind: ch as TokenKind, text: ch, column: i + 1 });
      i++;
      continue;
    }
    let m: RegExpExecArray | null = null;
    for (const [re, kind] of [
      [NUMBER, 'number'],
      [IDENT, 'ident'],
      [PATTERN, 'pattern'],
    ] as const) {
      re.lastIndex = i;
      m = re.exec(source);
      if (m) {
        tokens.push({ kind, text: m[0], column: i + 1 });
        i += m[0].length;
        break;
      }
    }
    if (!m) {
      const shown = JSON.stringify(String.fromCodePoint(source.codePointAt(i)!));
      throw new ParseError(`unexpected character ${shown}`, i + 1, source);
    }
  }
  tokens.push({ kind: 'end', text: '', column: source.length + 1 });
  return tokens;
}
