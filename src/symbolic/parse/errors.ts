import { UserError } from '../../util/errors.js';

/** A syntax or domain error in an expression, with the 1-based column where it was found. */
export class ParseError extends UserError {
  override readonly name = 'ParseError';
  constructor(
    /** What is wrong, without the position. */
    readonly problem: string,
    /** 1-based column in `source`. */
    readonly column: number,
    readonly source: string,
  ) {
    super(`column ${column}: ${problem}`);
  }

  /** The message with the source line and a caret under the column. */
  pretty(): string {
    const line = this.source.length > 120 ? this.source.slice(Math.max(0, this.column - 60), this.column + 60) : this.source;
    const offset = this.source.length > 120 ? Math.min(60, this.column - 1) : this.column - 1;
    return `${this.message}\n  ${line}\n  ${' '.repeat(Math.max(0, offset))}^`;
  }
}
