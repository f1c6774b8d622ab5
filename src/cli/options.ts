import { InvalidArgumentError, Option } from 'commander';
import { InputError } from '../errors.ts';

/**
 * Options more than one subcommand takes, and the parsers of option values. A new flag for one
 * subcommand goes in that subcommand's file; one shared by several goes here.
 */

export function quietOption(): Option {
  return new Option('-q, --quiet', 'print nothing but errors: the exit code says the result');
}

export function outputOption(): Option {
  return new Option('-o, --output <FILE>', 'write the result to FILE instead of standard output');
}

/** An integer option value in [min, max], for commander's argParser. */
export function integerIn(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return value;
  };
}

/** `--now 2027-03-31` (start of that day, UTC) or a full ISO time (UTC when it names no zone); default the clock. */
export function readNow(raw: string | undefined, clock: () => Date = () => new Date()): Date {
  if (raw === undefined) return clock();
  const isDateOnly = /^\d{4}-\d{2}-\d{2}$/.test(raw);
  // A time without a zone is UTC, as exception expiry is: never the machine's local time.
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(raw);
  const date = new Date(isDateOnly ? `${raw}T00:00:00Z` : hasZone ? raw : `${raw}Z`);
  const isValid = !Number.isNaN(date.getTime()) && (!isDateOnly || date.toISOString().startsWith(raw));
  if (!isValid || !/^\d{4}-\d{2}-\d{2}/.test(raw)) {
    throw new InputError({ file: 'command line', message: `--now "${raw}" is not an ISO date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)` });
  }
  return date;
}
