import { describe, expect, it } from 'vitest';
import {
  ALPINE_311,
  finalCheckRun,
  imageScan,
  mockAccessToken,
  mockArtifacts,
  mockCompare,
  mockCreateCheckRun,
  mockPolicyFiles,
  mockUpdateCheckRun,
  pullRequestPayload,
  REPO_PATH,
  RUN_ID,
  SHA,
  useAppUnderTest,
  workflowRunPayload,
} from '../github/app-harness.ts';

/**
 * `workflow_changes: reviewed`, end to end: a pull request (Dependabot's) edits the workflow that
 * scans its image; its run's reports are not read until someone with write access who is not the
 * author approves the head commit, and that approval (a pull_request_review delivery) re-judges.
 * Signed deliveries through the real app; GitHub is nock.
 */

const WORKFLOW = '.github/workflows/test.yml';
const PULL = 5;
const AUTHOR = 'dependabot[bot]';
const reviewedPolicy = 'version: 1\nsettings:\n  workflow_changes: reviewed\n  comment: never\npolicies:\n  - name: p\n    rules:\n      secrets: deny\n';

const app = useAppUnderTest();

interface Review {
  login: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
  commitId?: string;
  type?: 'User' | 'Bot';
}

/** GET the pull request (its author and head) and its reviews; the permission of each reviewer asked about. */
function mockReviews(reviews: Review[], permissions: Record<string, 'admin' | 'write' | 'read' | 'none'> = {}, headSha = SHA): void {
  const { github } = app;
  github.api.get(`${REPO_PATH}/pulls/${PULL}`).reply(200, { number: PULL, user: { login: AUTHOR, type: 'Bot' }, head: { sha: headSha, ref: 'dependabot/actions' }, base: { ref: 'master' } });
  github.api
    .get(`${REPO_PATH}/pulls/${PULL}/reviews`)
    .query(true)
    .reply(
      200,
      reviews.map((review, index) => ({ id: 900 + index, user: { login: review.login, type: review.type ?? 'User' }, state: review.state, commit_id: review.commitId ?? SHA, body: '' })),
    );
  for (const [login, permission] of Object.entries(permissions)) {
    github.api.get(`${REPO_PATH}/collaborators/${encodeURIComponent(login)}/permission`).reply(200, { permission, role_name: permission, user: { login } });
  }
}

/** The run's artifact listing only (its reports are never downloaded). */
function mockArtifactListing(): void {
  app.github.api.get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`).query(true).reply(200, { total_count: 1, artifacts: [{ id: 11, name: 'image-scan', size_in_bytes: 1000, expired: false }] });
}

function runPayload(): Record<string, any> {
  return workflowRunPayload({ pullRequest: { number: PULL, base: 'master' } });
}

function reviewPayload(action: 'submitted' | 'dismissed', review: Review): Record<string, any> {
  const payload = pullRequestPayload('master', PULL);
  payload.action = action;
  payload.pull_request.user = { ...payload.pull_request.user, login: AUTHOR, type: 'Bot' };
  payload.review = { id: 77, user: { login: review.login, type: review.type ?? 'User' }, body: null, commit_id: review.commitId ?? SHA, state: review.state.toLowerCase(), submitted_at: '2026-11-26T12:00:00Z' };
  return payload;
}

/** The first judgement: the change edits the run's workflow and nobody approved it yet. */
async function judgeUnreviewed(): Promise<void> {
  const { github } = app;
  mockAccessToken(github);
  mockPolicyFiles(github, { ref: 'master', repo: reviewedPolicy });
  mockArtifactListing();
  mockCompare(github, 'master', [{ filename: WORKFLOW }]);
  mockReviews([{ login: 'octocat', state: 'COMMENTED' }]);
  mockCreateCheckRun(github);
  await app.deliver('workflow_run', runPayload());
}

describe('settings.workflow_changes: reviewed', () => {
  it('reads no report until a writer approves the head commit, then the approval re-judges the run', async () => {
    const { github } = app;
    await judgeUnreviewed();
    const unreviewed = finalCheckRun(github);

    mockPolicyFiles(github, { ref: 'master', repo: reviewedPolicy });
    github.api.get(`${REPO_PATH}/actions/runs`).query({ head_sha: SHA, per_page: 100 }).reply(200, { total_count: 1, workflow_runs: [runPayload().workflow_run] });
    mockArtifacts(github, RUN_ID, imageScan(ALPINE_311));
    mockCompare(github, 'master', [{ filename: WORKFLOW }]);
    mockReviews([{ login: 'octocat', state: 'CHANGES_REQUESTED' }, { login: 'octocat', state: 'APPROVED' }], { octocat: 'write' });
    mockUpdateCheckRun(github);
    await app.deliver('pull_request_review', reviewPayload('submitted', { login: 'octocat', state: 'APPROVED' }));
    const reviewed = finalCheckRun(github);

    github.assertDone();
    expect(unreviewed).toMatchObject({ conclusion: 'failure' });
    // (`#5` reaches the summary as `#&#8203;5`, so that GitHub links nothing.)
    expect(unreviewed.output.summary).toContain('the reports count once someone with write access who is not the author of pull request #');
    expect(unreviewed.output.summary).toContain(`${PULL} approves its head commit ${SHA.slice(0, 7)}`);
    expect(unreviewed.output.summary).toContain(`ran ${WORKFLOW} as this change edits it`);
    expect(reviewed).toMatchObject({ conclusion: 'success' });
    expect(github.requests('GET', '/artifacts/11.zip')).toHaveLength(1);
  });

  it.each<{ name: string; reviews: Review[]; permissions?: Record<string, 'admin' | 'write' | 'read' | 'none'>; headSha?: string }>([
    { name: "the author's own approval", reviews: [{ login: AUTHOR, state: 'APPROVED' }] },
    { name: 'an approval by someone who can only read', reviews: [{ login: 'visitor', state: 'APPROVED' }], permissions: { visitor: 'read' } },
    { name: 'an approval of an older commit', reviews: [{ login: 'octocat', state: 'APPROVED', commitId: 'a'.repeat(40) }] },
    { name: 'an approval followed by a request for changes', reviews: [{ login: 'octocat', state: 'APPROVED' }, { login: 'octocat', state: 'CHANGES_REQUESTED' }] },
    { name: 'a dismissed approval', reviews: [{ login: 'octocat', state: 'APPROVED' }, { login: 'octocat', state: 'DISMISSED' }] },
    { name: "a bot's approval", reviews: [{ login: 'approver-bot[bot]', state: 'APPROVED', type: 'Bot' }] },
    { name: 'an approval of a commit the pull request has moved past', reviews: [{ login: 'octocat', state: 'APPROVED' }], headSha: 'd'.repeat(40) },
  ])('keeps the reports unread after $name', async ({ reviews, permissions, headSha }) => {
    const { github } = app;
    await judgeUnreviewed();

    mockPolicyFiles(github, { ref: 'master', repo: reviewedPolicy });
    github.api.get(`${REPO_PATH}/actions/runs`).query({ head_sha: SHA, per_page: 100 }).reply(200, { total_count: 1, workflow_runs: [runPayload().workflow_run] });
    mockArtifactListing();
    mockCompare(github, 'master', [{ filename: WORKFLOW }]);
    mockReviews(reviews, permissions, headSha);
    mockUpdateCheckRun(github);
    await app.deliver('pull_request_review', reviewPayload('submitted', reviews.at(-1)!));

    github.assertDone();
    expect(finalCheckRun(github)).toMatchObject({ conclusion: 'failure' });
    expect(github.requests('GET', '/artifacts/11.zip')).toHaveLength(0);
  });

  it("cannot loosen the organization's untrusted: no review is asked for", async () => {
    const { github } = app;
    mockAccessToken(github);
    mockPolicyFiles(github, { ref: 'master', repo: reviewedPolicy, org: 'version: 1\nsettings:\n  workflow_changes: untrusted\n' });
    mockArtifactListing();
    mockCompare(github, 'master', [{ filename: WORKFLOW }]);
    mockCreateCheckRun(github);

    await app.deliver('workflow_run', runPayload());

    github.assertDone();
    expect(finalCheckRun(github)).toMatchObject({ conclusion: 'failure' });
    expect(github.requests('GET', `${REPO_PATH}/pulls`)).toHaveLength(0);
  });

  it('ignores a review of a commit this app has not judged, without a request', async () => {
    await app.deliver('pull_request_review', reviewPayload('submitted', { login: 'octocat', state: 'APPROVED' }));

    app.github.assertDone();
    expect(app.github.log).toHaveLength(0);
  });
});
