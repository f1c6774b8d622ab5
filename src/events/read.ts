import { z } from 'zod';

/**
 * What a payload reader gives: the event as a typed value, or why the app ignores it (and how
 * loudly that is logged). A reader never throws on a payload: what it cannot read is ignored.
 */
export type EventRead<T> = { ok: true; value: T } | { ok: false; ignored: string; level: 'info' | 'warn' };

export function accepted<T>(value: T): EventRead<T> {
  return { ok: true, value };
}

export function ignored(reason: string, level: 'info' | 'warn' = 'warn'): { ok: false; ignored: string; level: 'info' | 'warn' } {
  return { ok: false, ignored: reason, level };
}

/** A full commit SHA: what a check run, a verdict and a comparison are addressed by. */
export const CommitSha = z.string().regex(/^[0-9a-f]{40}$/i, 'expected a full commit SHA (40 hex digits)');

/** Parses `payload`; on failure, the event is ignored with the first problem's place and message. */
export function parseEvent<S extends z.ZodType>(schema: S, payload: unknown, what: string): EventRead<z.output<S>> {
  const result = schema.safeParse(payload);
  if (result.success) return accepted(result.data);
  const issue = result.error.issues[0]!;
  const place = issue.path.length === 0 ? 'the payload' : issue.path.map(String).join('.');
  return ignored(`${what} not read (${place}: ${issue.message}): ignored`);
}
