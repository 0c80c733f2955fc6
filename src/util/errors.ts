/**
 * Bad input from the user (a file, a flag, a field): the CLI prints its
 * message alone and exits with code 2. Any layer may throw it; other error
 * types opt in with `userFacing = true`.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  readonly userFacing = true;
}
