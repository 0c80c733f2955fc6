/**
 * Prefix printer. `compact` (the default) prints the paper's spelling,
 * `Add(1,Neg(X))`; `spaced` prints DEAP's, `Add(1, Neg(X))`. Published
 * strings round-trip character for character.
 */
import type { Node } from '../symbolic/node.js';
import { NAMED_CONSTANTS } from '../symbolic/registry.js';
import { toDecimal } from '../symbolic/rational.js';

export function toPrefix(node: Node, style: 'compact' | 'spaced' = 'compact'): string {
  const sep = style === 'compact' ? ',' : ', ';
  const go = (n: Node): string => {
    switch (n.kind) {
      case 'const': {
        // A rational without a terminating decimal is written as the division it is.
        const d = toDecimal(n.value);
        return d ?? `Div(${n.value.n}${sep}${n.value.d})`;
      }
      case 'named':
        return n.name satisfies keyof typeof NAMED_CONSTANTS;
      case 'input':
        return n.name;
      case 'pattern':
        return `?${n.name}`;
      case 'op':
        return `${n.op}(${n.args.map(go).join(sep)})`;
    }
  };
  return go(node);
}
