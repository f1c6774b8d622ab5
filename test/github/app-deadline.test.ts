import { afterEach, describe, expect, it } from 'vitest';
import type { AppUnderTest } from './app-harness.ts';
import { arrangeRun, checkRunBodies, finalCheckRun, imageScan, JUICE_SHOP, mockAccessToken, mockArtifacts, mockCompare, mockPolicyFiles, pullRequestPayload, REPO_PATH, RUN_ID, SHA, startApp, workflowRunPayload } from './app-harness.ts';

const ALLOW_ALL = 'version: 1\npolicies: []\n';

/**
 * Issue 8, item 6 (a job that dies says so), the deadline half, through the real app: a job that
 * would outlive the worker is stopped early enough to write a failing "did not finish" check.
 */

let app: AppUnderTest;
afterEach(() => {
  app.github.restore();
});

describe('src/worker/worker.ts (the worker keeps a deadline)', () => {
  it('stops a job that outlives its deadline and ends its check as failing "did not finish", never as the earlier conclusion', async () => {
    app = await startApp({ checkWriteReserveMs: 0 });
    const { github } = app;
    // An earlier run of the commit was green.
    arrangeRun(github, { ref: 'master', repo: ALLOW_ALL });
    mockArtifacts(github, RUN_ID - 1, imageScan(JUICE_SHOP));
    mockCompare(github, 'master');
    await app.deliver('workflow_run', workflowRunPayload({ runId: RUN_ID - 1 }));
    expect(finalCheckRun(github).conclusion).toBe('success');
    // This run's artifact list hangs past the deadline (the worker has 300 ms left, keeps none in reserve).
    mockPolicyFiles(github, { ref: 'master', repo: ALLOW_ALL });
    github.api.get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`).query(true).delay(30_000).reply(200, { total_count: 0, artifacts: [] });
    // The failing check: the policy (for the check name), then the check run it already has.
    mockPolicyFiles(github, { ref: 'master', repo: ALLOW_ALL });
    github.api.patch(`${REPO_PATH}/check-runs/7001`).reply(200, { id: 7001, html_url: 'https://github.com/c/7001' });

    await app.deliver('workflow_run', workflowRunPayload(), { remainingMs: () => 300 });

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check.conclusion).toBe('failure');
    expect(check.output.summary).toContain('The evaluation did not finish: it ran out of time');
    const state = await app.store.getCheckState('octo-org/octo-repo', SHA);
    expect(state?.value.conclusion).toBe('failure');
    expect(state?.value.runs[String(RUN_ID)]?.problems).toEqual([{ kind: 'internal', message: expect.stringContaining('ran out of time') }]);
  });

  it('ends a review that re-judges a green commit past its deadline as failing "did not finish", never leaving the green', async () => {
    app = await startApp({ checkWriteReserveMs: 0 });
    const { github } = app;
    arrangeRun(github, { ref: 'master', repo: ALLOW_ALL });
    mockArtifacts(github, RUN_ID, imageScan(JUICE_SHOP));
    mockCompare(github, 'master');
    await app.deliver('workflow_run', workflowRunPayload());
    expect(finalCheckRun(github).conclusion).toBe('success');
    // A dismissed approval re-judges the commit; listing its runs hangs past the deadline.
    github.api.get(`${REPO_PATH}/actions/runs`).query(true).delay(30_000).reply(200, { total_count: 0, workflow_runs: [] });
    mockPolicyFiles(github, { ref: 'master', repo: ALLOW_ALL });
    github.api.patch(`${REPO_PATH}/check-runs/7001`).reply(200, { id: 7001, html_url: 'https://github.com/c/7001' });
    const review = { ...pullRequestPayload('master', 1), action: 'dismissed', review: { id: 77, user: { login: 'octocat', type: 'User' }, state: 'dismissed', commit_id: SHA } };

    await app.deliver('pull_request_review', review, { remainingMs: () => 300 });

    github.assertDone();
    expect(finalCheckRun(github)).toMatchObject({ conclusion: 'failure', output: { summary: expect.stringContaining('The evaluation did not finish: it ran out of time') } });
    expect((await app.store.getCheckState('octo-org/octo-repo', SHA))?.value.conclusion).toBe('failure');
  });

  it('marks the check "did not finish" without starting a job when no time is left', async () => {
    app = await startApp({ checkWriteReserveMs: 60_000 });
    const { github } = app;
    mockAccessToken(github);
    mockPolicyFiles(github, { ref: 'master' });
    github.api.post(`${REPO_PATH}/check-runs`).reply(201, { id: 7001, html_url: 'https://github.com/c/7001' });

    await app.deliver('workflow_run', workflowRunPayload(), { remainingMs: () => 30_000 });

    github.assertDone();
    expect(checkRunBodies(github)).toHaveLength(1);
    expect(finalCheckRun(github)).toMatchObject({ head_sha: SHA, conclusion: 'failure' });
    expect(finalCheckRun(github).output.summary).toContain('the worker had no time left to start it');
  });
});
