/**
 * Infix printer: minimal parentheses from the registry's precedences, such
 * that parsing the output gives back the same tree (left-associative + − * /,
 * unary minus binding tighter than * and /).
 */
import type { Domain } from '../symbolic/domains.js';
import { DOMAINS } from '../symbolic/domains.js';
import type { Node } from '../symbolic/node.js';
import { PREC } from '../symbolic/op-spec.js';
import { toDecimal } from '../symbolic/rational.js';
import { opSpec } from '../symbolic/registry.js';

interface Printed {
  readonly text: string;
  readonly prec: number;
}

export function toInfix(node: Node, domain: Domain): string {
  const names = new Map(DOMAINS[domain].inputs.map((i) => [i.name, i.infix]));
  const wrap = (p: Printed, min: number): string => (p.prec < min ? `(${p.text})` : p.text);
  const go = (n: Node): Printed => {
    switch (n.kind) {
      case 'const': {
        const d = toDecimal(n.value);
        if (d !== undefined) return { text: d, prec: d.startsWith('-') ? PREC.neg : PREC.atom };
        return { text: `${n.value.n} / ${n.value.d}`, prec: PREC.mul };
      }
      case 'named':
        return { text: n.name, prec: PREC.atom };
      case 'input':
        return { text: names.get(n.name) ?? n.name, prec: PREC.atom };
      case 'pattern':
        return { text: `?${n.name}`, prec: PREC.atom };
      case 'op': {
        const spec = opSpec(n.op);
        const args = n.args.map(go);
        const syn = spec.infix;
        if (syn.kind === 'call') return { text: `${syn.name}(${args.map((a) => a.text).join(', ')})`, prec: PREC.atom };
        if (syn.kind === 'prefix') {
          const a = args[0]!;
          // `-1` would read back as the literal −1, and `--x` is fine but `- -1` is not Neg(1).
          const inner = /^\d|^\./.test(a.text) ? `(${a.text})` : wrap(a, syn.prec);
          return { text: `-${inner}`, prec: syn.prec };
        }
        const [l, r] = args as [Printed, Printed];
        return { text: `${wrap(l, syn.prec)} ${syn.symbol} ${wrap(r, syn.prec + 1)}`, prec: syn.prec };
      }
    }
  };
  return go(node).text;
}
