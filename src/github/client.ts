import type { ProbotOctokit } from 'probot';

/** The authenticated installation client Probot hands each event (retry and throttling built in). */
export type GitHubClient = ProbotOctokit;

/** The HTTP status of a failed GitHub request, when it has one. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined;
  const status = (error as { status: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/** One line on what GitHub answered, for check runs and logs (never a stack trace). */
export function describeGitHubError(error: unknown): string {
  const status = statusOf(error);
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return status === undefined ? message! : `HTTP ${status}: ${message}`;
}
