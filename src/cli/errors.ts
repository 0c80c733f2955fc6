/**
 * Exit codes and the errors that map to them. Every user-facing failure is a
 * UserError (ParseError, EvalError, DataError, … extend it), printed as one
 * clear message with exit code 2 and no stack trace; a search job that
 * failed on a UserError rejects with a JobUserError, which is one too.
 */
import { ParseError } from '../symbolic/parse/errors.js';

export const EXIT = { ok: 0, internal: 1, badInput: 2 } as const;

export { UserError } from '../util/errors.js';

/** The message a user sees for an error. */
export function formatError(e: unknown): string {
  if (e instanceof ParseError) return `autoloss: ${e.pretty()}`;
  if (e instanceof Error) return `autoloss: ${e.message}`;
  return `autoloss: ${String(e)}`;
}
