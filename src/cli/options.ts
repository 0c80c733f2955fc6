/** Option parsers shared by commands: each rejects a bad value with a message naming the flag. */
import { InvalidArgumentError } from 'commander';
import { DOMAIN_NAMES, isDomain, type Domain } from '../symbolic/domains.js';

export function domainOption(value: string): Domain {
  if (!isDomain(value)) throw new InvalidArgumentError(`expected one of ${DOMAIN_NAMES.join(', ')}`);
  return value;
}

export function choice<T extends string>(values: readonly T[]): (v: string) => T {
  return (v: string) => {
    if (!(values as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${values.join(', ')}`);
    return v as T;
  };
}

export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

export function finiteNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || v.trim() === '') throw new InvalidArgumentError('expected a number');
  return n;
}
