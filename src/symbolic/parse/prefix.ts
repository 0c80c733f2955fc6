/**
 * The paper's (and DEAP's) prefix syntax: `Neg(Dot(Mul(Y,Add(1,Sin(Z))),Log(Softmax(X))))`.
 * Operators and inputs are capitalised; `-3` is a negative literal.
 */
import { op, type Node } from '../node.js';
import { isOpName } from '../op-names.js';
import { opSpec } from '../registry.js';
import { Cursor, describe, leafNode, missingOperand, numberNode, patternNode, type ParseContext } from './cursor.js';
import type { Token } from './lexer.js';

export function parsePrefixTokens(cur: Cursor, ctx: ParseContext): Node {
  return expr(cur, ctx, 1);
}

function expr(cur: Cursor, ctx: ParseContext, depth: number): Node {
  const t = cur.peek();
  cur.checkDepth(depth, t);
  switch (t.kind) {
    case 'number':
      cur.next();
      return numberNode(cur, t, false);
    case '-': {
      const n = cur.peek(1);
      if (n.kind !== 'number') cur.fail(`'-' is only allowed in a negative literal in prefix syntax; write Neg(...)`, t);
      cur.next();
      cur.next();
      return numberNode(cur, n, true);
    }
    case 'pattern':
      return patternNode(cur, ctx, t);
    case 'ident':
      cur.next();
      return cur.peek().kind === '(' ? call(cur, ctx, t, depth) : leafNode(cur, ctx, t, isOpName);
    default:
      return missingOperand(cur, t);
  }
}



function call(cur: Cursor, ctx: ParseContext, name: Token, depth: number): Node {
  if (!isOpName(name.text)) {
    if (ctx.inputs.has(name.text)) cur.fail(`'${name.text}' is an input, not an operator`, name);
    cur.fail(`unknown operator '${name.text}'`, name);
  }
  const open = cur.next();
  const args: Node[] = [];
  if (cur.peek().kind === ')') cur.fail(`${name.text} takes ${opSpec(name.text).arity} argument(s), got none`, name);
  for (;;) {
    args.push(expr(cur, ctx, depth + 1));
    const t = cur.peek();
    if (t.kind === ',') {
      cur.next();
      continue;
    }
    if (t.kind === ')') {
      cur.next();
      break;
    }
    if (t.kind === 'end') cur.fail(`missing ')' to close '${name.text}(' opened at column ${open.column}`, t);
    cur.fail(`expected ',' or ')' in the arguments of ${name.text}, found ${describe(t)}`, t);
  }
  const spec = opSpec(name.text);
  if (args.length !== spec.arity) {
    cur.fail(`${spec.name} takes ${spec.arity} argument${spec.arity > 1 ? 's' : ''}, got ${args.length}`, name);
  }
  return op(spec.name, ...args);
}
