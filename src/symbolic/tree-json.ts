/** A plain JSON view of a tree, for `--to json` outputs and other tools. */
import type { Node } from './node.js';
import { toString as ratString } from './rational.js';

export type JsonTree =
  | { const: string }
  | { named: string }
  | { input: string }
  | { pattern: string }
  | { op: string; args: JsonTree[] };

export function toJsonTree(n: Node): JsonTree {
  switch (n.kind) {
    case 'const':
      return { const: ratString(n.value) };
    case 'named':
      return { named: n.name };
    case 'input':
      return { input: n.name };
    case 'pattern':
      return { pattern: n.name };
    case 'op':
      return { op: n.op, args: n.args.map(toJsonTree) };
  }
}
