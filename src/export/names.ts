/** Names for generated code: validated identifiers, never arbitrary user text. */
import type { BuiltinLoss } from '../symbolic/builtins.js';
import { UserError } from '../util/errors.js';

/** Bad input to an exporter (a name that is not an identifier); the CLI prints it and exits 2. */
export class ExportError extends UserError {
  override readonly name = 'ExportError';
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['False', 'None', 'True', 'and', 'as', 'class', 'def', 'for', 'from', 'if', 'import', 'in', 'is', 'lambda', 'not', 'or', 'return', 'while', 'with', 'yield',
  'break', 'case', 'catch', 'const', 'continue', 'default', 'delete', 'do', 'else', 'export', 'extends', 'function', 'let', 'new', 'null', 'switch', 'this', 'throw', 'try', 'typeof', 'var', 'void', 'tf', 'torch', 'math', 'nn']);

/** Checks a user-chosen name for a generated class or function. */
export function checkIdentifier(name: string, what = '--name'): string {
  if (!IDENT.test(name)) throw new ExportError(`${what} ${JSON.stringify(name)} is not an identifier (letters, digits and _, not starting with a digit)`);
  if (RESERVED.has(name)) throw new ExportError(`${what} ${JSON.stringify(name)} is a reserved word in the generated code`);
  return name;
}

/** `autoloss-b-reg` → `AutolossBReg`; a custom expression → `SearchedLoss`. */
export function defaultClassName(builtin?: BuiltinLoss): string {
  if (!builtin) return 'SearchedLoss';
  return builtin.name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** `AutolossBReg` → `autolossBReg`, for a function name. */
export function lowerFirst(name: string): string {
  return name[0]!.toLowerCase() + name.slice(1);
}
