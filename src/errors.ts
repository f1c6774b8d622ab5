/**
 * Typed errors. Decide on `instanceof` or `kind`, never on message text (STYLE).
 */

/** One thing wrong with one input, at one place. */
export interface Problem {
  file: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  col?: number;
  /** What is wrong and what was expected, in one sentence. */
  message: string;
}

export function formatProblem(problem: Problem): string {
  const place = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.col ?? 1}`;
  return `${place}: ${problem.message}`;
}

/**
 * Bad input: a report or policy that cannot be read. The CLI prints each problem on one line and
 * exits 2; the app fails the check and annotates each problem. Never shown with a stack trace.
 */
export class InputError extends Error {
  readonly kind = 'input' as const;
  readonly problems: readonly Problem[];

  constructor(problems: Problem | readonly Problem[], options?: { cause?: unknown }) {
    const list = Array.isArray(problems) ? (problems as readonly Problem[]) : [problems as Problem];
    super(list.map(formatProblem).join('\n'), options);
    this.name = 'InputError';
    this.problems = list;
  }
}

export function isInputError(error: unknown): error is InputError {
  return error instanceof InputError;
}

/** Wraps an operational failure (GitHub, DynamoDB) with what we were doing, keeping the cause. */
export class OperationError extends Error {
  readonly kind = 'operation' as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OperationError';
  }
}
