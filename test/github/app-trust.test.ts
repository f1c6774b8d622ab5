import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppUnderTest } from './app-harness.ts';
import {
  ALPINE_311,
  arrangeRun,
  finalCheckRun,
  imageScan,
  mockCompare,
  REPO_PATH,
  RUN_ID,
  SHA,
  startApp,
  workflowRunPayload,
} from './app-harness.ts';

/**
 * Issue 8, "a person with write access (no admin rights) turns a failing check green": each
 * attack end to end (signed webhook → receiveWebhook → the real Probot app → nock), with the
 * legitimate control next to it.
 */

let app: AppUnderTest;

beforeEach(async () => {
  app = await startApp();
});

afterEach(() => {
  app.github.restore();
});

const WORKFLOW = '.github/workflows/test.yml';

/** A `push` run on `headBranch` (GitHub puts a tag's name there too). */
function pushRun(headBranch: string): Record<string, any> {
  const payload = workflowRunPayload();
  payload.workflow_run.event = 'push';
  payload.workflow_run.head_branch = headBranch;
  return payload;
}

describe('src/github/app (issue 8: a tag or branch named like the default branch)', () => {
  it('does not trust a run on a tag named like the default branch whose commit edits the workflow', async () => {
    const { github } = app;
    arrangeRun(github, { ref: 'master', repo: 'version: 1\npolicies:\n  - name: allow-all\n', compare: false });
    github.api.get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`).query(true).reply(200, { total_count: 1, artifacts: [{ id: 11, name: 'image-scan', size_in_bytes: 10, expired: false }] });
    // The commit is not on master: GitHub's comparison says so, and lists the edited workflow.
    mockCompare(github, 'master', [{ filename: WORKFLOW }], SHA, 'diverged');

    await app.deliver('workflow_run', pushRun('master'));

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check.conclusion).toBe('failure');
    expect(check.output.summary).toContain(`ran ${WORKFLOW} as this change edits it (it differs from master)`);
    expect(github.log.some((entry) => entry.path.includes('/artifacts/11/'))).toBe(false);
  });

  it.each([
    ['identical', 'the commit is the head of the default branch'],
    ['behind', 'the default branch moved on since'],
  ] as const)('control: trusts a push to the default branch once GitHub confirms its commit is there (%s: %s)', async (status, _why) => {
    const { github } = app;
    arrangeRun(github, { ref: 'master', artifacts: imageScan(ALPINE_311), compare: false });
    mockCompare(github, 'master', [], SHA, status);

    await app.deliver('workflow_run', pushRun('master'));

    github.assertDone();
    expect(finalCheckRun(github)).toMatchObject({ conclusion: 'success', output: { title: '1 image allowed' } });
  });

  it('fails closed when GitHub cannot say whether the commit is on the default branch', async () => {
    const { github } = app;
    arrangeRun(github, { ref: 'master' });
    github.api.get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`).query(true).reply(200, { total_count: 1, artifacts: [{ id: 11, name: 'image-scan', size_in_bytes: 10, expired: false }] });
    github.api.get((uri) => uri.includes('/compare/')).times(4).reply(500, { message: 'Server Error' });

    await app.deliver('workflow_run', pushRun('master'));

    github.assertDone();
    expect(finalCheckRun(github)).toMatchObject({ conclusion: 'failure', output: { title: 'The evaluation did not finish' } });
    expect(finalCheckRun(github).output.summary).toContain(`could not compare ${SHA} with master`);
    expect(github.log.some((entry) => entry.path.includes('/artifacts/11/'))).toBe(false);
  });
});
