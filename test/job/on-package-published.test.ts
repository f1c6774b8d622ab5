import { ProbotOctokit } from 'probot';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readPackageEvent } from '../../src/events/package.ts';
import { onPackagePublished, unscannedMessage } from '../../src/job/on-package-published.ts';
import { createMemoryStore } from '../../src/store/memory.ts';
import type { Store } from '../../src/store/store.ts';
import { mockPolicyFiles } from '../github/app-harness.ts';
import { readFixtureJson } from '../helpers/fixtures.ts';
import { createGitHubMock, type GitHubMock } from '../helpers/github-mock.ts';
import { verdictRecord } from '../store/contract.ts';

const NOW = new Date('2026-11-26T00:00:00Z');
const REVISION = '6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b';
const TAG_DIGEST = 'sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b';
const VERSION_DIGEST = 'sha256:3da1996a8115d7616457760d9920b815241d0a03b34cf5f04e9a0e9d8de37498';
const REPO_PATH = '/repos/Codertocat/hello-world-npm';

/** The fixture as an App receives it: GitHub adds the installation to every App delivery. */
function fixture(name: 'registry_package.published' | 'package.published'): Record<string, unknown> {
  return { ...readFixtureJson<Record<string, unknown>>(`webhooks/${name}.json`), installation: { id: 77 } };
}

function octokit(): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({ auth: { token: 'test' }, retry: { enabled: false }, throttle: { enabled: false } });
}

const log = pino({ level: 'silent' });
let github: GitHubMock;
let store: Store;
beforeEach(() => {
  github = createGitHubMock();
  store = createMemoryStore();
});
afterEach(() => {
  github.restore();
});

/** The repository's policy file on the default branch; the organization has none. */
function policyFile(text: string | undefined): void {
  mockPolicyFiles(github, { ref: 'master', ...(text === undefined ? {} : { repo: text }), repository: 'Codertocat/hello-world-npm' });
}

describe('src/job/on-package-published.ts', () => {
  it.each([
    { name: 'registry_package.published' as const, versionId: 57755791 },
    { name: 'package.published' as const, versionId: 57755790 },
  ])('reads the container version of $name', ({ name, versionId }) => {
    const version = readPackageEvent(fixture(name), 1);

    expect(version.ok && version.value).toEqual({
      target: { owner: 'Codertocat', repo: 'hello-world-npm', repositoryId: 185882436, defaultBranch: 'master', installationId: 77, appId: 1 },
      image: 'ghcr.io/codertocat/hello-world',
      tag: TAG_DIGEST,
      digests: [TAG_DIGEST, VERSION_DIGEST],
      sha: REVISION,
      updatedAt: '0001-01-01T00:00:00Z',
      run: expect.objectContaining({ id: versionId }),
    });
  });

  it.each([
    { name: 'an npm package', change: (p: any) => ({ ...p, package: { ...p.package, ecosystem: 'npm', package_type: 'npm', package_version: { ...p.package.package_version, container_metadata: undefined } } }) },
    { name: 'a version without any digest', change: (p: any) => ({ ...p, package: { ...p.package, package_version: { ...p.package.package_version, version: '1.0.0', name: '1.0.0', container_metadata: { tag: { name: 'v1', digest: '' } } } } }) },
    { name: 'no repository', change: (p: any) => ({ ...p, repository: undefined }) },
    { name: 'no installation', change: (p: any) => ({ ...p, installation: undefined }) },
  ])('ignores $name', async ({ change }) => {
    const payload = change(fixture('package.published'));

    await onPackagePublished({ octokit: octokit(), payload, store, now: NOW, log, appId: 1 });

    expect(readPackageEvent(payload, 1)).toMatchObject({ ok: false });
    expect(await store.getPublish('ghcr.io/codertocat/hello-world', TAG_DIGEST)).toBeUndefined();
    github.assertDone();
  });

  it.each([
    { name: 'registry_package.published' as const },
    { name: 'package.published' as const },
  ])('records an unscanned $name and fails the check of its commit (missing_scan: fail by default)', async ({ name }) => {
    policyFile(undefined);
    github.api.post(`${REPO_PATH}/check-runs`).reply(201, { id: 501, html_url: 'https://github.com/check/501' });

    await onPackagePublished({ octokit: octokit(), payload: fixture(name), store, now: NOW, log, appId: 1 });

    expect(await store.getPublish('ghcr.io/codertocat/hello-world', TAG_DIGEST)).toEqual({
      image: 'ghcr.io/codertocat/hello-world', tag: TAG_DIGEST, digest: TAG_DIGEST, repository: 'Codertocat/hello-world-npm', sha: REVISION, state: 'unscanned', publishedAt: NOW.toISOString(), versionUpdatedAt: '0001-01-01T00:00:00Z',
    });
    const [check] = github.requests('POST', `${REPO_PATH}/check-runs`);
    expect(check?.body).toMatchObject({ head_sha: REVISION, name: 'image-assurance', status: 'completed', conclusion: 'failure' });
    expect(JSON.stringify(check?.body)).toContain('published without a verdict');
    const state = await store.getCheckState('Codertocat/hello-world-npm', REVISION);
    expect(Object.values(state?.value.runs ?? {})[0]?.problems).toEqual([
      { kind: 'unscanned', message: unscannedMessage({ image: 'ghcr.io/codertocat/hello-world', tag: TAG_DIGEST }, TAG_DIGEST) },
    ]);
    github.assertDone();
  });

  it('records an unscanned publish and leaves the check alone with missing_scan: ignore', async () => {
    policyFile('version: 1\nsettings:\n  missing_scan: ignore\npolicies: []\n');

    await onPackagePublished({ octokit: octokit(), payload: fixture('registry_package.published'), store, now: NOW, log, appId: 1 });

    expect((await store.getPublish('ghcr.io/codertocat/hello-world', TAG_DIGEST))?.state).toBe('unscanned');
    expect(await store.getCheckState('Codertocat/hello-world-npm', REVISION)).toBeUndefined();
    github.assertDone();
  });

  it.each([
    { name: 'the tag digest', digest: TAG_DIGEST, allowed: false, conclusion: 'failure' },
    { name: 'the version digest', digest: VERSION_DIGEST, allowed: true, conclusion: 'success' },
  ])('records a publish as verified when $name has a verdict of this repository for the commit it names, and refreshes that check', async ({ digest, allowed, conclusion }) => {
    await store.putVerdict(verdictRecord({ digest, allowed, sha: REVISION, repository: 'Codertocat/hello-world-npm', policyRef: 'master' }));
    policyFile(undefined);
    github.api.post(`${REPO_PATH}/check-runs`).reply(201, { id: 502, html_url: 'https://github.com/check/502' });

    await onPackagePublished({ octokit: octokit(), payload: fixture('package.published'), store, now: NOW, log, appId: 1 });

    expect(await store.getPublish('ghcr.io/codertocat/hello-world', TAG_DIGEST)).toMatchObject({ digest, state: 'verified', allowed, sha: REVISION });
    const [check] = github.requests('POST', `${REPO_PATH}/check-runs`);
    expect(check?.body).toMatchObject({ head_sha: REVISION, conclusion });
    github.assertDone();
  });

  it.each([
    { name: 'another repository', verdict: { repository: 'acme/elsewhere', sha: REVISION, policyRef: 'master' } },
    { name: 'another commit of this repository', verdict: { repository: 'Codertocat/hello-world-npm', sha: 'b'.repeat(40), policyRef: 'master' } },
    { name: "a branch's policy other than the default branch's", verdict: { repository: 'Codertocat/hello-world-npm', sha: REVISION, policyRef: 'lax' } },
  ])('treats the image as unscanned when the only verdict for its digest comes from $name', async ({ verdict }) => {
    await store.putVerdict(verdictRecord({ digest: TAG_DIGEST, allowed: true, ...verdict }));
    policyFile(undefined);
    github.api.post(`${REPO_PATH}/check-runs`).reply(201, { id: 504, html_url: 'https://github.com/check/504' });

    await onPackagePublished({ octokit: octokit(), payload: fixture('package.published'), store, now: NOW, log, appId: 1 });

    expect(await store.getPublish('ghcr.io/codertocat/hello-world', TAG_DIGEST)).toMatchObject({ state: 'unscanned', sha: REVISION });
    expect(github.requests('POST', `${REPO_PATH}/check-runs`)[0]?.body).toMatchObject({ head_sha: REVISION, conclusion: 'failure' });
    github.assertDone();
  });

  it('ends in a failing check that says what failed when GitHub fails mid-way (final guard)', async () => {
    github.api.get(`${REPO_PATH}/contents/.github%2Fimage-assurance.yml`).query({ ref: 'master' }).reply(403, { message: 'Resource not accessible by integration' });
    github.api.get('/repos/Codertocat/.github/contents/.github%2Fimage-assurance.yml').optionally().reply(404, { message: 'Not Found' });
    github.api.post(`${REPO_PATH}/check-runs`).reply(201, { id: 503, html_url: 'https://github.com/check/503' });

    await onPackagePublished({ octokit: octokit(), payload: fixture('package.published'), store, now: NOW, log, appId: 1 });

    const [check] = github.requests('POST', `${REPO_PATH}/check-runs`);
    expect(check?.body).toMatchObject({ head_sha: REVISION, conclusion: 'failure' });
    expect(JSON.stringify(check?.body)).toContain('The evaluation did not finish');
    expect((await store.getPublish('ghcr.io/codertocat/hello-world', TAG_DIGEST))?.state).toBe('unscanned');
    github.assertDone();
  });

  it('records the publish but refreshes no check when the payload names no commit', async () => {
    const payload = fixture('package.published') as any;
    const version = payload.package.package_version;
    const withoutCommit = {
      ...payload,
      package: { ...payload.package, package_version: { ...version, target_oid: 'main', container_metadata: { ...version.container_metadata, labels: {} } } },
    };

    await onPackagePublished({ octokit: octokit(), payload: withoutCommit, store, now: NOW, log, appId: 1 });

    const record = await store.getPublish('ghcr.io/codertocat/hello-world', TAG_DIGEST);
    expect(record?.state).toBe('unscanned');
    expect(record?.sha).toBeUndefined();
    github.assertDone();
  });
});
