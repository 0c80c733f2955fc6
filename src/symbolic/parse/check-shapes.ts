import { INFIX_FUNCTIONS } from '../registry.js';
import { isOpName } from '../op-names.js';
import { opSpec } from '../registry.js';
import { ParseError } from './errors.js';
import type { Token } from './lexer.js';
import type { Syntax } from './resolve-domain.js';

/** Softmax and Dot work along the class axis, which a domain without one (reg) lacks. */
export function checkShapes(tokens: readonly Token[], source: string, syntax: Syntax): void {
  tokens.forEach((t, i) => {
    if (t.kind !== 'ident' || tokens[i + 1]?.kind !== '(') return;
    const spec = syntax === 'prefix' ? (isOpName(t.text) ? opSpec(t.text) : undefined) : INFIX_FUNCTIONS.get(t.text);
    if (spec?.axis) throw new ParseError(`${t.text} works along the class axis, which domain reg does not have`, t.column, source);
  });
}
