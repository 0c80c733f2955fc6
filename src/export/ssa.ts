/**
 * Straight-line code from a tree, for the code exporters: every node of the
 * interned DAG becomes one variable, children before parents, so a shared
 * subtree is computed once and every template argument (`#1`, `#2`) is a
 * plain variable name (templates may repeat `#1` at no cost).
 *
 * Leaves are emitted by the target: inputs are parameter names, constants are
 * printed from their exact rational value, π by its library name. Nothing of
 * a user's text reaches the generated code.
 */
import type { InputName } from '../symbolic/domains.js';
import type { Node } from '../symbolic/node.js';
import type { OpName } from '../symbolic/op-names.js';
import type { Rat } from '../symbolic/rational.js';
import { opSpec } from '../symbolic/registry.js';

/** How one target writes leaves and operators. */
export interface SsaTarget {
  /** A variable for an input (usually the parameter itself, not a new variable). */
  readonly input: (name: InputName) => string;
  /** An expression for an exact constant. */
  readonly constant: (value: Rat) => string;
  /** An expression for π. */
  readonly pi: string;
  /** The registry's template for an operator in this target. */
  readonly template: (op: OpName) => string;
  /** One assignment line. */
  readonly assign: (variable: string, expression: string) => string;
}

export interface Ssa {
  readonly lines: readonly string[];
  /** The variable (or input name) holding the tree's value. */
  readonly result: string;
}

/**
 * Schedules `tree` as SSA assignments `v0 = …; v1 = …`.
 *
 * @example
 * toSsa(parse('Log(Sig(X))', { domain: 'binary' }).tree, PYTHON_TARGET)
 * // { lines: ['v0 = torch.sigmoid(X)', 'v1 = torch.log(v0 + 1e-20)'], result: 'v1' }
 */
export function toSsa(tree: Node, target: SsaTarget): Ssa {
  const names = new Map<Node, string>();
  const lines: string[] = [];
  const fresh = (): string => `v${lines.length}`;
  const go = (n: Node): string => {
    const hit = names.get(n);
    if (hit) return hit;
    let name: string;
    switch (n.kind) {
      case 'input':
        name = target.input(n.name);
        break;
      case 'const':
        name = fresh();
        lines.push(target.assign(name, target.constant(n.value)));
        break;
      case 'named':
        name = fresh();
        lines.push(target.assign(name, target.pi));
        break;
      case 'pattern':
        throw new Error(`pattern variable ?${n.name} cannot be exported`);
      case 'op': {
        const args = n.args.map(go);
        const expr = target.template(n.op).replace(/#([12])/g, (_m, d: string) => args[Number(d) - 1]!);
        name = fresh();
        lines.push(target.assign(name, expr));
        break;
      }
    }
    names.set(n, name);
    return name;
  };
  const result = go(tree);
  return { lines, result };
}

/** The registry's code templates, for a target that reads `code.python` or `code.tfjs`. */
export function registryTemplate(facet: 'python' | 'tfjs'): (op: OpName) => string {
  return (op) => opSpec(op).code[facet];
}
