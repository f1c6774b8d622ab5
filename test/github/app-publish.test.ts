import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readFixtureJson } from '../helpers/fixtures.ts';
import {
  arrangeRun,
  finalCheckRun,
  imageScan,
  INSTALLATION_ID,
  JUICE_DIGEST,
  JUICE_SHOP,
  mockArtifacts,
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
 * Issue 8, attack 3 (verdict poisoning by digest), through the real app: signed deliveries →
 * receiveWebhook → the worker's Probot → nock. A publish uses only the verdict judged in its own
 * repository for the commit it names; a replayed older package event never rolls a tag back.
 */

const IMAGE = `ghcr.io/${OWNER}/api`;
const ALLOW_ALL = 'version: 1\npolicies: []\n';

/** A real registry_package.published payload, for OWNER/REPO's container `api`. */
function publishPayload(options: { digest: string; tag: string; sha?: string; updatedAt: string; versionId?: number }): Record<string, any> {
  const payload = readFixtureJson<Record<string, any>>('webhooks/registry_package.published.json');
  payload.installation = { id: INSTALLATION_ID };
  payload.repository = workflowRunPayload().repository;
  const version = payload.registry_package.package_version;
  version.id = options.versionId ?? 9001;
  version.updated_at = options.updatedAt;
  version.package_url = `${IMAGE}:${options.tag}`;
  version.version = options.digest;
  version.name = options.digest;
  version.target_oid = options.sha ?? '';
  version.container_metadata.tag = { name: options.tag, digest: options.digest };
  version.container_metadata.manifest.digest = options.digest;
  version.container_metadata.labels.all_labels['org.opencontainers.image.revision'] = options.sha ?? '';
  return payload;
}

/** The same workflow_run, but of another repository (another installation) that scanned the same digest. */
const EVIL = { owner: 'evil-org', repo: 'evil-repo', id: 990_001, installationId: 9_999, sha: 'e'.repeat(40), runId: 55 };
const EVIL_PATH = `/repos/${EVIL.owner}/${EVIL.repo}`;

function evilRunPayload(): Record<string, any> {
  const payload = workflowRunPayload({ runId: EVIL.runId, headSha: EVIL.sha, headRepositoryId: EVIL.id });
  payload.installation = { id: EVIL.installationId };
  payload.repository = { ...payload.repository, id: EVIL.id, name: EVIL.repo, full_name: `${EVIL.owner}/${EVIL.repo}`, owner: { ...payload.repository.owner, login: EVIL.owner } };
  payload.workflow_run.repository = { ...payload.workflow_run.repository, id: EVIL.id };
  return payload;
}

const app = useAppUnderTest();

describe('src/github/app (a publish uses only its own repository and commit’s verdict)', () => {
  it("keeps a blocked image blocked when another repository judged the same digest as allowed (last writer no longer wins)", async () => {
    const { github } = app;
    // 1. This repository's push run blocks the image at SHA (preset:baseline).
    arrangeRun(github, { ref: 'master', artifacts: imageScan(JUICE_SHOP) });
    await app.deliver('workflow_run', workflowRunPayload());
    expect(finalCheckRun(github).conclusion).toBe('failure');
    // 2. Another repository "scans" the same digest under a policy that allows everything.
    github.api.post(`/app/installations/${EVIL.installationId}/access_tokens`).reply(201, { token: 'ghs_evil', expires_at: '2099-01-01T00:00:00Z' });
    mockPolicyFiles(github, { ref: 'master', repo: ALLOW_ALL, repository: `${EVIL.owner}/${EVIL.repo}` });
    mockArtifacts(github, EVIL.runId, [{ id: 66, name: 'image-scan', files: { 'trivy.json': JUICE_SHOP } }], EVIL_PATH);
    mockOnBranch(github, 'master', EVIL.sha, EVIL_PATH);
    github.api.post(`${EVIL_PATH}/check-runs`).reply(201, { id: 8001, html_url: 'https://github.com/evil/runs/8001' });
    await app.deliver('workflow_run', evilRunPayload());
    expect(github.requests('POST', `${EVIL_PATH}/check-runs`)[0]?.body).toMatchObject({ conclusion: 'success' });
    // 3. This repository publishes the image it built at SHA.
    mockPolicyFiles(github, { ref: 'master' });
    mockUpdateCheckRun(github);

    await app.deliver('registry_package', publishPayload({ digest: JUICE_DIGEST, tag: 'v1', sha: SHA, updatedAt: '2026-11-26T11:00:00Z' }));

    github.assertDone();
    expect(await app.store.getPublish(IMAGE, 'v1')).toMatchObject({ digest: JUICE_DIGEST, state: 'verified', allowed: false, sha: SHA, repository: `${OWNER}/${REPO}` });
    const check = finalCheckRun(github);
    expect(github.requests('PATCH', `${REPO_PATH}/check-runs/7001`)).toHaveLength(1);
    expect(check.conclusion).toBe('failure');
    expect(check.output.summary).toContain('CVE-2021-36159');
  });

  it('fails the publishing commit as unscanned when the only verdict for the digest is another repository’s', async () => {
    const { github } = app;
    github.api.post(`/app/installations/${EVIL.installationId}/access_tokens`).reply(201, { token: 'ghs_evil', expires_at: '2099-01-01T00:00:00Z' });
    mockPolicyFiles(github, { ref: 'master', repo: ALLOW_ALL, repository: `${EVIL.owner}/${EVIL.repo}` });
    mockArtifacts(github, EVIL.runId, [{ id: 66, name: 'image-scan', files: { 'trivy.json': JUICE_SHOP } }], EVIL_PATH);
    mockOnBranch(github, 'master', EVIL.sha, EVIL_PATH);
    github.api.post(`${EVIL_PATH}/check-runs`).reply(201, { id: 8001, html_url: 'https://github.com/evil/runs/8001' });
    await app.deliver('workflow_run', evilRunPayload());
    arrangeRun(github, { ref: 'master' });

    await app.deliver('registry_package', publishPayload({ digest: JUICE_DIGEST, tag: 'v1', sha: SHA, updatedAt: '2026-11-26T11:00:00Z' }));

    github.assertDone();
    expect(await app.store.getPublish(IMAGE, 'v1')).toMatchObject({ state: 'unscanned', sha: SHA });
    const check = finalCheckRun(github);
    expect(check).toMatchObject({ head_sha: SHA, conclusion: 'failure' });
    expect(check.output.summary).toContain('published without a verdict');
  });

  it('control: attaches the verdict this repository judged for the commit the publish names', async () => {
    const { github } = app;
    arrangeRun(github, { ref: 'master', repo: ALLOW_ALL, artifacts: imageScan(JUICE_SHOP) });
    await app.deliver('workflow_run', workflowRunPayload());
    mockPolicyFiles(github, { ref: 'master', repo: ALLOW_ALL });
    mockUpdateCheckRun(github);

    await app.deliver('registry_package', publishPayload({ digest: JUICE_DIGEST, tag: 'v1', sha: SHA, updatedAt: '2026-11-26T11:00:00Z' }));

    github.assertDone();
    expect(await app.store.getPublish(IMAGE, 'v1')).toMatchObject({ digest: JUICE_DIGEST, state: 'verified', allowed: true, sha: SHA });
    expect(finalCheckRun(github)).toMatchObject({ conclusion: 'success' });
    expect(github.requests('PATCH', `${REPO_PATH}/check-runs/7001`)).toHaveLength(1);
    const stored = await app.store.getVerdict({ repository: `${OWNER}/${REPO}`, digest: JUICE_DIGEST, sha: SHA, policyRef: 'master' });
    // The policy file's exact version, as git itself names the text the app was given.
    const blob = execFileSync('git', ['hash-object', '--stdin'], { input: ALLOW_ALL, encoding: 'utf8' }).trim();
    expect(stored).toMatchObject({ runId: RUN_ID, policyRef: 'master', policyFiles: [`.github/image-assurance.yml@master#blob:${blob}`] });
  });

  it('never rolls a tag back to an older digest when an older package event is replayed under a new delivery ID', async () => {
    const { github } = app;
    const newer = 'sha256:' + '2'.repeat(64);
    const older = 'sha256:' + '1'.repeat(64);
    arrangeRun(github, { ref: 'master' });
    await app.deliver('registry_package', publishPayload({ digest: newer, tag: 'v1', sha: SHA, updatedAt: '2026-11-20T00:00:00Z', versionId: 2 }));
    github.assertDone();

    // The older version's event, delivered again (the harness gives each delivery a new ID). Nothing is asked of GitHub.
    await app.deliver('registry_package', publishPayload({ digest: older, tag: 'v1', sha: SHA, updatedAt: '2026-11-10T00:00:00Z', versionId: 1 }));

    github.assertDone();
    expect(await app.store.getPublish(IMAGE, 'v1')).toMatchObject({ digest: newer, versionUpdatedAt: '2026-11-20T00:00:00Z' });
    expect(github.log.filter((entry) => entry.method !== 'GET' && entry.path.includes('check-runs'))).toHaveLength(1);
  });
});
