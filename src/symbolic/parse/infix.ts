/**
 * Infix syntax for people: `-dot(y*(1+sin(w)), log(softmax(x)))`.
 * Precedence (loosest first): + −, * /, unary −, ^. `a^n` with a positive
 * integer n is repeated multiplication. A `-` directly before a number is a
 * negative literal, so `-(1)` is how Neg(1) prints.
 */
import { op, type Node } from '../node.js';
import { INFIX_BINARY, INFIX_FUNCTIONS, INFIX_PREFIX } from '../registry.js';
import { Cursor, describe, leafNode, missingOperand, numberNode, patternNode, type ParseContext } from './cursor.js';
import type { Token } from './lexer.js';

/** Largest exponent `^` accepts; the power is spelled out as a product. */
const MAX_POWER = 32;

export function parseInfixTokens(cur: Cursor, ctx: ParseContext): Node {
  return additive(cur, ctx, 1);
}

function additive(cur: Cursor, ctx: ParseContext, depth: number): Node {
  let left = term(cur, ctx, depth);
  for (;;) {
    const t = cur.peek();
    if (t.kind !== '+' && t.kind !== '-') return left;
    cur.next();
    const right = term(cur, ctx, depth);
    left = op(INFIX_BINARY.get(t.kind)!.name, left, right);
  }
}

function term(cur: Cursor, ctx: ParseContext, depth: number): Node {
  let left = unary(cur, ctx, depth);
  for (;;) {
    const t = cur.peek();
    if (t.kind !== '*' && t.kind !== '/') return left;
    cur.next();
    const right = unary(cur, ctx, depth);
    left = op(INFIX_BINARY.get(t.kind)!.name, left, right);
  }
}

function unary(cur: Cursor, ctx: ParseContext, depth: number): Node {
  const t = cur.peek();
  cur.checkDepth(depth, t);
  if (t.kind === '-') {
    const n = cur.peek(1);
    if (n.kind === 'number' && cur.peek(2).kind !== '^') {
      cur.next();
      cur.next();
      return numberNode(cur, n, true);
    }
    cur.next();
    return op(INFIX_PREFIX.get('-')!.name, unary(cur, ctx, depth + 1));
  }
  return power(cur, ctx, depth);
}

function power(cur: Cursor, ctx: ParseContext, depth: number): Node {
  const base = primary(cur, ctx, depth);
  if (cur.peek().kind !== '^') return base;
  cur.next();
  const e = cur.peek();
  const k = e.kind === 'number' && /^\d+$/.test(e.text) ? Number(e.text) : NaN;
  if (!(k >= 1)) cur.fail(`the exponent of '^' must be a positive integer, found ${describe(e)}`, e);
  if (k > MAX_POWER) cur.fail(`exponent ${e.text} is larger than ${MAX_POWER}`, e);
  cur.next();
  let out = base;
  for (let i = 1; i < k; i++) out = op(INFIX_BINARY.get('*')!.name, out, base);
  if (cur.peek().kind === '^') cur.fail(`chained '^' is ambiguous; add parentheses`, cur.peek());
  return out;
}

function primary(cur: Cursor, ctx: ParseContext, depth: number): Node {
  const t = cur.peek();
  switch (t.kind) {
    case 'number':
      cur.next();
      return numberNode(cur, t, false);
    case 'pattern':
      return patternNode(cur, ctx, t);
    case '(': {
      cur.next();
      cur.checkDepth(depth + 1, t);
      const inner = additive(cur, ctx, depth + 1);
      closeParen(cur, t, '(');
      return inner;
    }
    case 'ident':
      cur.next();
      return cur.peek().kind === '(' ? call(cur, ctx, t, depth) : leafNode(cur, ctx, t, (n) => INFIX_FUNCTIONS.has(n));
    default:
      return missingOperand(cur, t);
  }
}

function closeParen(cur: Cursor, open: Token, what: string): void {
  const t = cur.peek();
  if (t.kind === ')') {
    cur.next();
    return;
  }
  if (t.kind === 'end') cur.fail(`missing ')' to close '${what}' opened at column ${open.column}`, t);
  cur.fail(`expected ')' to close '${what}' opened at column ${open.column}, found ${describe(t)}`, t);
}



function call(cur: Cursor, ctx: ParseContext, name: Token, depth: number): Node {
  const spec = INFIX_FUNCTIONS.get(name.text);
  if (!spec) {
    if (ctx.inputs.has(name.text)) cur.fail(`'${name.text}' is an input, not a function`, name);
    const known = [...INFIX_FUNCTIONS.keys()].join(', ');
    cur.fail(`unknown function '${name.text}' (functions: ${known})`, name);
  }
  const open = cur.next();
  cur.checkDepth(depth + 1, name);
  const args: Node[] = [];
  if (cur.peek().kind !== ')') {
    for (;;) {
      args.push(additive(cur, ctx, depth + 1));
      if (cur.peek().kind !== ',') break;
      cur.next();
    }
  }
  closeParen(cur, open, `${name.text}(`);
  if (args.length !== spec.arity) {
    cur.fail(`${name.text} takes ${spec.arity} argument${spec.arity > 1 ? 's' : ''}, got ${args.length}`, name);
  }
  return op(spec.name, ...args);
}
