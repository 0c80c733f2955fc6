/**
 * The symbolic engine's part of `npm start`: each published loss simplified
 * (with the side conditions of the steps), in exact rational form where it
 * is a rational function of its inputs, and with its canonical hash.
 */
import { toInfix } from '../render/infix.js';
import { BUILTIN_LOSSES } from './builtins.js';
import { canonicalHash } from './canonical.js';
import { input, size } from './node.js';
import { parse } from './parse/index.js';
import { rationalForm, rationalFormInfix } from './poly/rational-form.js';
import { simplify } from './simplify/simplify.js';

/**
 * Prints the stage to `write` (stdout by default).
 *
 * @example
 * symbolicStage(); // == Symbolic engine: … ==
 */
export function symbolicStage(write: (line: string) => void = (s) => void process.stdout.write(`${s}\n`)): void {
  write('== The published losses, simplified and in exact rational form ==');
  for (const b of BUILTIN_LOSSES.filter((l) => l.published)) {
    const { tree, domain } = parse(b.prefix, { domain: b.domain });
    const s = simplify(tree, domain);
    write(`\n${b.title} (${b.name}, domain ${domain})`);
    write(`  as written (${size(tree)} nodes): ${toInfix(tree, domain)}`);
    write(`  simplified (${size(s.tree)} nodes): ${toInfix(s.tree, domain)}${s.conditions.length ? `   where ${s.conditions.join(', ')}` : ''}`);
    const f = rationalForm(tree, domain);
    // A rational form whose variables are all inputs: the loss is a rational function.
    if (f.variables.every((v) => v.tree.kind === 'input' && v.tree === input(v.tree.name))) {
      write(`  rational form: ${rationalFormInfix(f)}`);
    }
    write(`  canonical hash: ${canonicalHash(tree, domain)}`);
  }
}
