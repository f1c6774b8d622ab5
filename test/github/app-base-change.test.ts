import type { components } from '@octokit/openapi-webhooks-types';
import { describe, expect, it } from 'vitest';
import {
  arrangeRun,
  finalCheckRun,
  imageScan,
  JUICE_SHOP,
  mockArtifacts,
  mockCompare,
  JUICE_DIGEST,
  mockPolicyFiles,
  mockUpdateCheckRun,
  OWNER,
  pullRequestPayload,
  REPO,
  REPO_PATH,
  RUN_ID,
  SHA,
  useAppUnderTest,
  workflowRunPayload,
  mockNewComment,
  mockRunsOfCommit,
} from './app-harness.ts';

/**
 * Issue 8, attack 4, "changing the base after the check went green": a pull request into a branch
 * of one's own with a loose policy file goes green, then its base is changed to the default
 * branch. End to end: signed webhook → the real app → nock.
 */

const app = useAppUnderTest();

const LOOSE = 'version: 1\npolicies:\n  - name: allow-all\n';
const PULL = 5;

/** pull_request edited: the real opened payload, as GitHub sends an edit (its `changes` typed by GitHub's own webhook schema). */
function editedPayload(base: string, changes: components['schemas']['webhook-pull-request-edited']['changes']): Record<string, any> {
  const payload = pullRequestPayload(base, PULL);
  payload.action = 'edited';
  payload.changes = changes;
  return payload;
}

/** Run RUN_ID of pull request PULL into `lax`, judged under lax's allow-all policy: green. */
async function greenIntoLax(): Promise<Record<string, any>> {
  const run = workflowRunPayload({ pullRequest: { number: PULL, base: 'lax' } });
  arrangeRun(app.github, { ref: 'lax', repo: LOOSE, artifacts: imageScan(JUICE_SHOP), compare: 'lax' });
  app.github.api.get(`${REPO_PATH}/issues/${PULL}/comments`).query(true).reply(200, []);
  await app.deliver('workflow_run', run);
  expect(finalCheckRun(app.github).conclusion).toBe('success');
  return run;
}

describe('src/github/app (issue 8: changing the base after the check went green)', () => {
  it("judges the commit's runs again under the new base's policy when a pull request's base changes to the default branch", async () => {
    const { github } = app;
    const run = await greenIntoLax();

    // The base goes from lax to master (run.workflow_run still lists the old base, as GitHub's run listing may).
    mockPolicyFiles(github, { ref: 'master' });
    mockRunsOfCommit(github, [run.workflow_run]);
    // Master's policy, read once by this job, judges the run again.
    mockArtifacts(github, RUN_ID, imageScan(JUICE_SHOP));
    mockCompare(github, 'master');
    mockUpdateCheckRun(github);
    mockNewComment(github, PULL);
    // The policy preview asks which files the pull request changes (not the policy file here).
    mockCompare(github, 'master');
    await app.deliver('pull_request', editedPayload('master', { base: { ref: { from: 'lax' }, sha: { from: 'b'.repeat(40) } } }));

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check.conclusion).toBe('failure');
    expect(check.output.summary).toContain('CVE-2021-36159');
    const state = (await app.store.getCheckState(`${OWNER}/${REPO}`, SHA))!.value;
    expect(state.pullRequestBases).toEqual({ [String(PULL)]: 'master' });
    // Judged under master only: lax no longer gates this pull request.
    expect(Object.values(state.runs).map((contribution) => contribution.policyRef)).toEqual(['master']);
    // The verdict stored for the commit under master's policy (for publishes and gates) is the blocking one.
    const verdict = await app.store.getVerdict({ repository: `${OWNER}/${REPO}`, digest: JUICE_DIGEST, sha: SHA, policyRef: 'master' });
    expect(verdict).toMatchObject({ allowed: false, policyRef: 'master', policyFiles: ['preset:baseline'] });
  });

  it('ignores an edit that changes only the title or body: no request to GitHub', async () => {
    const { github } = app;
    await greenIntoLax();
    const requests = github.log.length;

    await app.deliver('pull_request', editedPayload('lax', { title: { from: 'an older title' } }));

    github.assertDone();
    expect(github.log.length).toBe(requests);
    expect(finalCheckRun(github).conclusion).toBe('success');
  });

  it('control: a pull request whose base changes to a branch with the same verdict stays green', async () => {
    const { github } = app;
    const run = await greenIntoLax();

    mockPolicyFiles(github, { ref: 'lax2', repo: LOOSE });
    mockRunsOfCommit(github, [run.workflow_run]);
    mockArtifacts(github, RUN_ID, imageScan(JUICE_SHOP));
    mockCompare(github, 'lax2');
    mockUpdateCheckRun(github);
    github.api.get(`${REPO_PATH}/issues/${PULL}/comments`).query(true).reply(200, []);
    mockCompare(github, 'lax2');
    await app.deliver('pull_request', editedPayload('lax2', { base: { ref: { from: 'lax' }, sha: { from: 'b'.repeat(40) } } }));

    github.assertDone();
    expect(finalCheckRun(github).conclusion).toBe('success');
  });
});
