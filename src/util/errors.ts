/**
 * Bad input from the user (a file, a flag, a field, an expression): the CLI
 * prints its message alone and exits with code 2. Any layer may throw it;
 * every user-facing error class extends it (ParseError, EvalError,
 * DataError, ExportError, …), and the CLI tells them apart by class alone.
 */
export class UserError extends Error {
  override readonly name: string = 'UserError';
}
