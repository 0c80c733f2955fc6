/** An indented outline of a tree, one node per line, for reading large expressions. */
import type { Node } from '../symbolic/node.js';
import { toPrefix } from './prefix.js';

export function toTreeView(node: Node, indent = '  '): string {
  const lines: string[] = [];
  const go = (n: Node, depth: number): void => {
    const pad = indent.repeat(depth);
    if (n.kind !== 'op') {
      lines.push(pad + toPrefix(n));
      return;
    }
    lines.push(pad + n.op);
    for (const a of n.args) go(a, depth + 1);
  };
  go(node, 0);
  return lines.join('\n');
}
