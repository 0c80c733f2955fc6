import { UserError } from '../util/errors.js';

/**
 * A problem with a user's data (a malformed annotation file, a missing image):
 * a UserError, which the CLI prints alone with exit code 2.
 */
export class DataError extends UserError {
  override readonly name = 'DataError';
}
