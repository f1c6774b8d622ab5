import { describe, expect, it } from 'vitest';
import { readFixtureJson } from '../helpers/fixtures.ts';
import {
  ALPINE_311,
  arrangeRun,
  finalCheckRun,
  imageScan,
  JUICE_SHOP,
  mockAccessToken,
  mockArtifacts,
  mockCreateCheckRun,
  mockFile,
  mockCompare,
  mockOnBranch,
  mockPolicyFiles,
  mockUpdateCheckRun,
  ORG_REPO_PATH,
  OWNER,
  POLICY_PATH,
  REPO,
  REPO_PATH,
  RUN_ID,
  SHA,
  useAppUnderTest,
  workflowRunPayload,
} from './app-harness.ts';

/**
 * Issue 8, "a person with write access (no admin rights) turns a failing check green": each
 * attack end to end (signed webhook → receiveWebhook → the real Probot app → nock), with the
 * legitimate control next to it.
 */

const app = useAppUnderTest();

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

/** The juice-shop report with every finding removed: the same image and digest, "clean". */
function cleanJuiceShop(): string {
  const report = readFixtureJson<Record<string, any>>(JUICE_SHOP.fixture);
  for (const result of report.Results) {
    delete result.Vulnerabilities;
    delete result.Secrets;
  }
  return JSON.stringify(report);
}

const LIGHT = '.github/workflows/light.yml';

describe('src/github/app (issue 8: a later, lighter workflow)', () => {
  /** Run RUN_ID of the scan workflow blocks juice-shop on a push to master. */
  async function blockWithTheScanWorkflow(): Promise<void> {
    arrangeRun(app.github, { ref: 'master', artifacts: imageScan(JUICE_SHOP) });
    await app.deliver('workflow_run', workflowRunPayload());
    expect(finalCheckRun(app.github).conclusion).toBe('failure');
  }

  /** A later run (RUN_ID + 1) of `path` uploading a clean report of the same image and digest. */
  async function uploadCleanReport(path: string, repo?: string): Promise<void> {
    mockPolicyFiles(app.github, { ref: 'master', ...(repo === undefined ? {} : { repo }) });
    mockArtifacts(app.github, RUN_ID + 1, [{ id: 12, name: 'image-scan', files: { 'trivy.json': cleanJuiceShop() } }]);
    mockOnBranch(app.github, 'master');
    mockUpdateCheckRun(app.github);
    await app.deliver('workflow_run', workflowRunPayload({ runId: RUN_ID + 1, name: 'light', path }));
  }

  it("does not let another workflow's clean report of the same image and digest replace a blocking verdict", async () => {
    await blockWithTheScanWorkflow();

    await uploadCleanReport(LIGHT);

    app.github.assertDone();
    const check = finalCheckRun(app.github);
    expect(check.conclusion).toBe('failure');
    expect(check.output.summary).toContain('CVE-2021-36159');
    expect(check.output.summary).toMatch(/Workflow runs disagree on .*juice-shop/);
    expect(check.output.summary).toContain('The strictest verdict holds (blocked)');
  });

  it('control: a newer run of the same workflow file after a real fix replaces its verdict', async () => {
    await blockWithTheScanWorkflow();

    await uploadCleanReport('.github/workflows/test.yml');

    app.github.assertDone();
    const check = finalCheckRun(app.github);
    expect(check.conclusion).toBe('success');
    expect(check.output.summary).toMatch(new RegExp(`was replaced by the newer run #(&#8203;)?${RUN_ID + 1} of the same workflow file .github/workflows/test.yml`));
  });

  it.each([
    ['the repository lists only the scan workflow', 'version: 1\nextends: [preset:baseline]\nsettings:\n  scan_workflows: [".github/workflows/test.yml"]\n', undefined],
    [
      "the organization's list is a floor the repository's cannot widen",
      'version: 1\nextends: [preset:baseline]\nsettings:\n  scan_workflows: ["**"]\n',
      'version: 1\nsettings:\n  scan_workflows: [".github/workflows/test.yml"]\n',
    ],
  ])('does not read the artifacts of a workflow settings.scan_workflows leaves out: %s', async (_name, repo, org) => {
    const { github } = app;
    arrangeRun(github, { ref: 'master', repo, ...(org === undefined ? {} : { org }), artifacts: imageScan(JUICE_SHOP) });
    await app.deliver('workflow_run', workflowRunPayload());
    mockPolicyFiles(github, { ref: 'master', repo, ...(org === undefined ? {} : { org }) });
    mockUpdateCheckRun(github);

    await app.deliver('workflow_run', workflowRunPayload({ runId: RUN_ID + 1, name: 'light', path: LIGHT }));

    github.assertDone();
    expect(github.log.some((entry) => entry.path.includes(`/runs/${RUN_ID + 1}/artifacts`))).toBe(false);
    const check = finalCheckRun(github);
    expect(check.conclusion).toBe('failure');
    expect(check.output.summary).toContain(`ran ${LIGHT}, which settings.scan&#95;workflows does not list: its artifacts were not read`);
    expect((await app.store.getCheckState(`${OWNER}/${REPO}`, SHA))?.value.runs[String(RUN_ID + 1)]).toMatchObject({ isExcluded: true, workflow: LIGHT });
  });
});

describe('src/github/app (issue 8: the organization floor is never dropped silently)', () => {
  it.each([403])("notes that <org>/.github could not be read (HTTP %s), naming the repository and what to do", async (status) => {
    const { github } = app;
    mockAccessToken(github);
    mockFile(github, POLICY_PATH, 'master', undefined);
    github.api.get(`${ORG_REPO_PATH}/contents/${encodeURIComponent(POLICY_PATH)}`).reply(status, { message: 'Resource not accessible by integration' });
    mockArtifacts(github, RUN_ID, imageScan(ALPINE_311));
    mockOnBranch(github, 'master');
    mockCreateCheckRun(github);

    await app.deliver('workflow_run', workflowRunPayload());

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check.output.summary).toContain(`GitHub refused ${OWNER}/.github (HTTP ${status}), so its floor was NOT applied`);
    expect(check.output.summary).toContain(`Install the app on ${OWNER}/.github`);
  });
});
