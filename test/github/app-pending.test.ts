import { describe, expect, it } from 'vitest';
import {
  ALPINE_311,
  arrangeRun,
  checkRunBodies,
  finalCheckRun,
  imageScan,
  JUICE_SHOP,
  mockArtifacts,
  mockCompare,
  mockCreateCheckRun,
  mockOnBranch,
  mockPolicyFiles,
  mockUpdateCheckRun,
  OWNER,
  REPO,
  REPO_PATH,
  RUN_ID,
  SHA,
  useAppUnderTest,
  workflowRunPayload,
} from './app-harness.ts';

/**
 * Issue 8, "never green by accident", item 5: every workflow_run requested/in_progress of a commit
 * puts its check back in progress, so the merge waits for the last scan; the conclusion is then
 * computed over every completed run. End to end: signed webhook → the real app → nock.
 */

const app = useAppUnderTest();

const SCAN = '.github/workflows/test.yml';
const BASE = '.github/workflows/base.yml';
const LINT = '.github/workflows/lint.yml';
/** The second scan workflow's run: its own file, so it never replaces the first one's verdict. */
const baseRun = { runId: RUN_ID + 1, name: 'build base', path: BASE };

async function greenFirst(): Promise<void> {
  arrangeRun(app.github, { ref: 'master', artifacts: imageScan(ALPINE_311), checkRunId: 7001 });
  await app.deliver('workflow_run', workflowRunPayload());
  expect(finalCheckRun(app.github)).toMatchObject({ status: 'completed', conclusion: 'success' });
}

async function state() {
  return (await app.store.getCheckState(`${OWNER}/${REPO}`, SHA))!.value;
}

describe('src/github/app (issue 8: pending until done)', () => {
  it("puts a concluded check back in progress when another scan's run starts, and concludes over both runs once it is judged", async () => {
    const { github } = app;
    await greenFirst();

    // The second scan starts: GitHub does not take a completed check run back, so a new one is created in progress.
    mockPolicyFiles(github, { ref: 'master' });
    mockCreateCheckRun(github, 7002);
    await app.deliver('workflow_run', workflowRunPayload(baseRun, 'webhooks/workflow_run.requested.json'));
    expect(checkRunBodies(github).at(-1)).toMatchObject({ name: 'image-assurance', head_sha: SHA, status: 'in_progress' });
    expect(checkRunBodies(github).at(-1)!.conclusion).toBeUndefined();
    expect(await state()).toMatchObject({ checkRunId: 7002, isInProgress: true, pendingRuns: { [String(RUN_ID + 1)]: { attempt: 1, workflow: BASE } } });

    // It finishes with a blocked image: the new check run concludes over both runs.
    mockPolicyFiles(github, { ref: 'master' });
    mockArtifacts(github, RUN_ID + 1, [{ id: 12, name: 'image-scan', files: { 'trivy.json': JUICE_SHOP } }]);
    mockOnBranch(github, 'master');
    mockUpdateCheckRun(github, 7002);
    await app.deliver('workflow_run', workflowRunPayload(baseRun));

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(check.output.summary).toContain('alpine:3.11');
    expect(check.output.summary).toContain('bkimminich/juice-shop');
    expect(github.requests('PATCH', `${REPO_PATH}/check-runs/7002`)).toHaveLength(1);
    expect(await state()).toMatchObject({ checkRunId: 7002, isInProgress: false, conclusion: 'failure', pendingRuns: {} });
  });

  it('stays in progress, with no conclusion and no comment, while one of two started scans is unjudged', async () => {
    const { github } = app;
    const pullRequest = { number: 7, base: 'master' };
    arrangeRun(github, { ref: 'master', checkRunId: 7001 });
    await app.deliver('workflow_run', workflowRunPayload({ pullRequest }, 'webhooks/workflow_run.requested.json'));
    await app.deliver('workflow_run', workflowRunPayload({ ...baseRun, pullRequest }, 'webhooks/workflow_run.requested.json'));

    // The first scan finishes: the check says what it waits for, and concludes nothing.
    mockPolicyFiles(github, { ref: 'master' });
    mockArtifacts(github, RUN_ID, imageScan(ALPINE_311));
    mockCompare(github, 'master');
    mockUpdateCheckRun(github, 7001);
    await app.deliver('workflow_run', workflowRunPayload({ pullRequest }));

    github.assertDone();
    const waiting = checkRunBodies(github).at(-1)!;
    expect(waiting).toMatchObject({ status: 'in_progress', output: { title: 'Waiting for 1 more workflow run' } });
    expect(waiting.conclusion).toBeUndefined();
    expect(waiting.output.summary).toContain(`"build base" (#${RUN_ID + 1})`);
    expect(github.log.some((entry) => entry.path.includes('/comments'))).toBe(false);
    expect(await state()).toMatchObject({ isInProgress: true });
    expect((await state()).conclusion).toBeUndefined();
  });

  it('does not reopen a concluded check for the run of a workflow settings.scan_workflows leaves out', async () => {
    const { github } = app;
    const repo = `version: 1\nextends: [preset:baseline]\nsettings:\n  scan_workflows: ["${SCAN}"]\n`;
    arrangeRun(github, { ref: 'master', repo, artifacts: imageScan(ALPINE_311) });
    await app.deliver('workflow_run', workflowRunPayload());
    const requests = github.log.length;
    mockPolicyFiles(github, { ref: 'master', repo });

    await app.deliver('workflow_run', workflowRunPayload({ runId: RUN_ID + 1, name: 'lint', path: LINT }, 'webhooks/workflow_run.requested.json'));

    github.assertDone();
    // Only the policy was read: no check run was created or written.
    expect(github.log.slice(requests).every((entry) => entry.method === 'GET')).toBe(true);
    expect(await state()).toMatchObject({ checkRunId: 7001, conclusion: 'success' });
  });

  it('changes nothing on a late start of a run whose attempt was judged already', async () => {
    const { github } = app;
    await greenFirst();
    const requests = github.log.length;

    await app.deliver('workflow_run', workflowRunPayload({}, 'webhooks/workflow_run.requested.json'));

    github.assertDone();
    expect(github.log.length).toBe(requests);
    expect((await state()).pendingRuns ?? {}).toEqual({});
  });

  it('control: a re-run (attempt 2) of the same workflow after a real fix reopens the check, then turns it green', async () => {
    const { github } = app;
    arrangeRun(github, { ref: 'master', artifacts: imageScan(JUICE_SHOP), checkRunId: 7001 });
    await app.deliver('workflow_run', workflowRunPayload());
    expect(finalCheckRun(github).conclusion).toBe('failure');

    const rerun = (fixture?: string) => {
      const payload = workflowRunPayload({}, fixture);
      payload.workflow_run.run_attempt = 2;
      return payload;
    };
    mockPolicyFiles(github, { ref: 'master' });
    mockCreateCheckRun(github, 7002);
    await app.deliver('workflow_run', rerun('webhooks/workflow_run.requested.json'));
    mockPolicyFiles(github, { ref: 'master' });
    mockArtifacts(github, RUN_ID, imageScan(ALPINE_311));
    mockOnBranch(github, 'master');
    mockUpdateCheckRun(github, 7002);
    await app.deliver('workflow_run', rerun());

    github.assertDone();
    expect(checkRunBodies(github).map((body) => body.status)).toEqual(['completed', 'in_progress', 'completed']);
    expect(finalCheckRun(github).conclusion).toBe('success');
    expect(await state()).toMatchObject({ checkRunId: 7002, conclusion: 'success' });
  });
});
