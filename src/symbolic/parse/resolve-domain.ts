/**
 * Decides the domain of an expression before it is parsed, from the input
 * names it uses, so that infix names that differ between domains (`y` is Y in
 * `multi` and PY in `binary`) resolve to one input, and an input that does not
 * belong to the domain is reported at its column.
 */
import { DOMAIN_NAMES, DOMAINS, type Domain, type InputName } from '../domains.js';
import { INFIX_FUNCTIONS, NAMED_CONSTANTS, opSpec } from '../registry.js';
import { isOpName } from '../op-names.js';
import { ParseError } from './errors.js';
import type { Token } from './lexer.js';

export type Syntax = 'prefix' | 'infix';

/** Spelling → input, per domain, in one syntax. */
export function inputTable(domain: Domain, syntax: Syntax): Map<string, InputName> {
  return new Map(DOMAINS[domain].inputs.map((i) => [syntax === 'prefix' ? i.name : i.infix, i.name]));
}

/** Prefix if any identifier is capitalised (operators and inputs are, in prefix); infix otherwise. */
export function detectSyntax(tokens: readonly Token[]): Syntax {
  return tokens.some((t) => t.kind === 'ident' && /^[A-Z]/.test(t.text)) ? 'prefix' : 'infix';
}

function isNamedConstant(text: string): boolean {
  return Object.hasOwn(NAMED_CONSTANTS, text);
}

/** Identifier tokens that stand for inputs (not followed by '(' and not constants). */
function inputTokens(tokens: readonly Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'ident' && tokens[i + 1]?.kind !== '(' && !isNamedConstant(t.text)) out.push(t);
  }
  return out;
}

function usesClassAxisOp(tokens: readonly Token[], syntax: Syntax): boolean {
  return tokens.some((t, i) => {
    if (t.kind !== 'ident' || tokens[i + 1]?.kind !== '(') return false;
    const spec = syntax === 'prefix' ? (isOpName(t.text) ? opSpec(t.text) : undefined) : INFIX_FUNCTIONS.get(t.text);
    return spec?.axis !== undefined;
  });
}

/**
 * The domain of the expression: `given` when set (checking every input
 * belongs to it), else the domain its inputs fit. When several fit (e.g. only
 * `X`), an expression with softmax or dot is `multi`, else `binary`, and one
 * with no inputs at all is `binary` too.
 */
export function resolveDomain(tokens: readonly Token[], source: string, syntax: Syntax, given?: Domain): Domain {
  const names = inputTokens(tokens);
  const tables = new Map(DOMAIN_NAMES.map((d) => [d, inputTable(d, syntax)] as const));
  for (const t of names) {
    if (![...tables.values()].some((tab) => tab.has(t.text))) {
      const hint = suggestion(t.text, syntax);
      throw new ParseError(`unknown input '${t.text}'${hint}`, t.column, source);
    }
  }
  if (given) {
    const table = tables.get(given)!;
    for (const t of names) {
      if (!table.has(t.text)) {
        const list = [...table.keys()].join(', ');
        throw new ParseError(`input '${t.text}' is not in domain ${given} (its inputs: ${list})`, t.column, source);
      }
    }
    return given;
  }
  let candidates = [...DOMAIN_NAMES];
  let first: Token | undefined;
  for (const t of names) {
    const next = candidates.filter((d) => tables.get(d)!.has(t.text));
    if (next.length === 0) {
      throw new ParseError(
        `input '${t.text}' does not share a domain with '${first!.text}' (column ${first!.column}); pass a domain or use one domain's inputs`,
        t.column,
        source,
      );
    }
    if (next.length < candidates.length || !first) first = t;
    candidates = next;
  }
  if (candidates.length === 1) return candidates[0]!;
  const axis = usesClassAxisOp(tokens, syntax);
  const order: Domain[] = axis ? ['multi', 'binary'] : ['binary', 'multi', 'reg'];
  return order.find((d) => candidates.includes(d)) ?? candidates[0]!;
}

function suggestion(text: string, syntax: Syntax): string {
  const all = DOMAIN_NAMES.flatMap((d) => DOMAINS[d].inputs.map((i) => (syntax === 'prefix' ? i.name : i.infix)));
  const other = DOMAIN_NAMES.flatMap((d) => DOMAINS[d].inputs.map((i) => (syntax === 'prefix' ? i.infix : i.name)));
  if (other.includes(text)) {
    return ` (this is ${syntax === 'prefix' ? 'infix' : 'prefix'} spelling; inputs here are ${[...new Set(all)].join(', ')})`;
  }
  const ci = [...new Set(all)].find((n) => n.toLowerCase() === text.toLowerCase());
  return ci ? ` (did you mean '${ci}'?)` : ` (inputs are ${[...new Set(all)].join(', ')})`;
}
