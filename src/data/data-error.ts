/**
 * A problem with a user's data (a malformed annotation file, a missing image).
 * The CLI recognises `userFacing` and prints the message alone with exit code 2,
 * which keeps `src/data` free of imports from `src/cli`.
 */
export class DataError extends Error {
  override readonly name = 'DataError';
  readonly userFacing = true;
}
