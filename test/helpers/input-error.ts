import { InputError } from '../../src/errors.ts';
import type { Problem } from '../../src/errors.ts';

/**
 * The InputError that `run` throws. Any other error is rethrown, and returning normally fails the
 * test, so an assertion on the result cannot pass by accident:
 *
 *   expect(problemsOf(() => readReport('r.json', bytes))).toEqual([{ file: 'r.json', message: '…' }]);
 */
export function inputErrorOf(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

/** The problems of the InputError that `run` throws (see {@link inputErrorOf}). */
export function problemsOf(run: () => unknown): Problem[] {
  return [...inputErrorOf(run).problems];
}

/** {@link problemsOf} for a promise: the problems of the InputError it rejects with. */
export async function problemsOfAsync(run: () => Promise<unknown>): Promise<Problem[]> {
  try {
    await run();
  } catch (error) {
    if (error instanceof InputError) return [...error.problems];
    throw error;
  }
  throw new Error('expected an InputError');
}
