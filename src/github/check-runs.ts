import { OperationError } from '../errors.ts';
import type { CheckConclusion } from '../model/outcome.ts';
import type { GitHubClient } from './client.ts';
import { describeGitHubError } from './client.ts';
import { batchAnnotations } from '../render/check-run.ts';

/** One annotation as the checks API takes it. */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
  raw_details?: string;
}

export interface CheckRunOutput {
  title: string;
  summary: string;
  text?: string;
  annotations: CheckAnnotation[];
}

export interface CheckRunTarget {
  owner: string;
  repo: string;
  sha: string;
  name: string;
}

/**
 * The button on every finished check run that judges the same artifacts again with the current
 * policy. GitHub takes at most 20 characters of label and identifier and 40 of description
 * (a longer one fails the whole check run write with 422).
 */
export const RE_EVALUATE_ACTION = {
  label: 'Re-evaluate',
  description: 'Judge again with the current policy',
  identifier: 're-evaluate',
} as const;

/**
 * A check run that is queued or in progress, so a required check blocks the merge before any
 * verdict: created when `checkRunId` is unknown (GitHub then shows it instead of the older check
 * runs of the same name), else updated. A completed check run must not be passed: GitHub does not
 * take it back to in progress. Returns its ID.
 */
export async function writePendingCheckRun(
  octokit: GitHubClient,
  target: CheckRunTarget & { status: 'queued' | 'in_progress'; checkRunId?: number; output?: { title: string; summary: string }; detailsUrl?: string },
): Promise<number> {
  const fields = {
    status: target.status,
    output: target.output ?? { title: 'Waiting for image scans', summary: 'The workflow runs for this commit have not finished yet.' },
    ...(target.detailsUrl ? { details_url: target.detailsUrl } : {}),
  };
  try {
    const { data } =
      target.checkRunId === undefined
        ? await octokit.rest.checks.create({ owner: target.owner, repo: target.repo, head_sha: target.sha, name: target.name, ...fields })
        : await octokit.rest.checks.update({ owner: target.owner, repo: target.repo, check_run_id: target.checkRunId, ...fields });
    return data.id;
  } catch (error) {
    throw new OperationError(`could not write the pending check run on ${target.sha} (${describeGitHubError(error)})`, { cause: error });
  }
}

/**
 * Writes a completed check run: creates it when `checkRunId` is unknown, else updates it.
 * The first 50 annotations go with that request, the rest in further updates (GitHub's limit).
 */
export async function upsertCheckRun(
  octokit: GitHubClient,
  target: CheckRunTarget & { checkRunId?: number; conclusion: CheckConclusion; output: CheckRunOutput; completedAt: Date; hasReevaluateButton?: boolean },
): Promise<{ id: number; url: string }> {
  const batches = batchAnnotations(target.output.annotations);
  const output = (annotations: CheckAnnotation[]) => ({
    title: target.output.title,
    summary: target.output.summary,
    ...(target.output.text ? { text: target.output.text } : {}),
    ...(annotations.length > 0 ? { annotations } : {}),
  });
  const completed = {
    status: 'completed' as const,
    conclusion: target.conclusion,
    completed_at: target.completedAt.toISOString(),
    ...(target.hasReevaluateButton === false ? {} : { actions: [RE_EVALUATE_ACTION] }),
  };
  try {
    const first = batches[0] ?? [];
    const { data } =
      target.checkRunId === undefined
        ? await octokit.rest.checks.create({
            owner: target.owner,
            repo: target.repo,
            head_sha: target.sha,
            name: target.name,
            ...completed,
            output: output(first),
          })
        : await octokit.rest.checks.update({
            owner: target.owner,
            repo: target.repo,
            check_run_id: target.checkRunId,
            ...completed,
            output: output(first),
          });
    for (const batch of batches.slice(1)) {
      await octokit.rest.checks.update({
        owner: target.owner,
        repo: target.repo,
        check_run_id: data.id,
        output: { title: target.output.title, summary: target.output.summary, annotations: batch },
      });
    }
    return { id: data.id, url: data.html_url ?? '' };
  } catch (error) {
    throw new OperationError(`could not write the check run on ${target.sha} (${describeGitHubError(error)})`, { cause: error });
  }
}
