import { InputError } from '../errors.ts';
import { fieldError } from '../readers/fields.ts';
import type { VexStatus } from './schema.ts';

/** Helpers the three VEX readers share. */

/** OpenVEX's justifications, which CSAF's flag labels are too. */
export const OPENVEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;

/** A date-time when present, as ISO 8601 UTC; anything unparsable is an error at its place. */
export function optionalTimestamp(file: string, value: unknown, at: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw fieldError(file, at, 'an ISO 8601 date-time', value);
  return new Date(time).toISOString();
}

/** The latest of the given ISO times, or undefined when none is given. */
export function latestTimestamp(...times: (string | undefined)[]): string | undefined {
  let latest: string | undefined;
  for (const time of times) if (time !== undefined && (latest === undefined || time > latest)) latest = time;
  return latest;
}

/** A value from a fixed list, or an error that lists the allowed values. */
export function optionalEnum<T extends string>(file: string, value: unknown, at: string, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw fieldError(file, at, `one of ${allowed.join(', ')}`, value);
  return value as T;
}

/**
 * `not_affected` must say why (issue 11): a justification or an impact statement. Without one the
 * document is broken at that statement.
 */
export function requireReason(file: string, at: string, status: VexStatus, reason: { justification?: string; impactStatement?: string }, names: string): void {
  if (status !== 'not_affected' || reason.justification !== undefined || reason.impactStatement !== undefined) return;
  throw new InputError({ file, message: `${at}: a not_affected statement needs ${names}; without one it cannot suppress anything, so the document is refused` });
}

/** Blank text says nothing: it counts as absent. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
