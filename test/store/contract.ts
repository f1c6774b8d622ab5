import { describe, expect, it } from 'vitest';
import type { ImageVerdict } from '../../src/model/verdict.ts';
import { updateCheckState } from '../../src/store/store.ts';
import type { CheckState, Job, PolicyHistoryRecord, PublishRecord, RunContribution, Store, VerdictRecord } from '../../src/store/store.ts';

/**
 * The Store contract: every implementation (MemoryStore, DynamoStore) passes the same cases.
 * `newStore` must give an empty store each call.
 */
export function describeStoreContract(name: string, newStore: () => Promise<Store>): void {
  describe(`${name} (Store contract)`, () => {
    it('records a delivery once and reports a redelivery', async () => {
      const store = await newStore();
      const at = new Date('2026-11-26T00:00:00Z');

      const first = await store.putDelivery('d-1', at);
      const again = await store.putDelivery('d-1', at);
      const other = await store.putDelivery('d-2', at);

      expect([first, again, other]).toEqual([true, false, true]);
    });

    it('stores and reads a job; an unknown job is undefined', async () => {
      const store = await newStore();
      const job: Job = { id: 'd-1', event: 'workflow_run', payload: { action: 'completed', nested: { n: [1, 2] } }, receivedAt: '2026-11-26T00:00:00.000Z' };

      await store.putJob(job);

      expect(await store.getJob('d-1')).toEqual(job);
      expect(await store.getJob('nope')).toBeUndefined();
    });

    it('keeps the first job stored under an ID: a redelivery writes nothing', async () => {
      const store = await newStore();
      const first: Job = { id: 'd-2', event: 'workflow_run', payload: { n: 1 }, receivedAt: '2026-11-26T00:00:00.000Z' };

      await store.putJob(first);
      await store.putJob({ ...first, payload: { n: 2 }, receivedAt: '2026-11-27T00:00:00.000Z' });

      expect(await store.getJob('d-2')).toEqual(first);
    });

    it.each([
      { name: 'create when none exists', setup: [] as (number | undefined)[], expected: undefined, ok: true },
      { name: 'create when one exists', setup: [undefined], expected: undefined, ok: false },
      { name: 'update at the current version', setup: [undefined], expected: 1, ok: true },
      { name: 'update at a stale version', setup: [undefined, 1], expected: 1, ok: false },
      { name: 'update at a version that never existed', setup: [], expected: 3, ok: false },
    ])('check state: $name', async ({ setup, expected, ok }) => {
      const store = await newStore();
      for (const version of setup) expect(await store.putCheckState(checkState({}), version)).toBe(true);

      const result = await store.putCheckState(checkState({ notes: ['new'] }), expected);

      expect(result).toBe(ok);
      const stored = await store.getCheckState('acme/api', SHA);
      if (ok) expect(stored?.value.notes).toEqual(['new']);
      else expect(stored?.value.notes ?? []).toEqual([]);
    });

    it('reads the version back and bumps it on every write', async () => {
      const store = await newStore();

      await store.putCheckState(checkState({}), undefined);
      const first = await store.getCheckState('acme/api', SHA);
      await store.putCheckState(checkState({ checkRunId: 7 }), first?.version);
      const second = await store.getCheckState('acme/api', SHA);

      expect(second?.version).not.toBe(first?.version);
      expect(second?.value.checkRunId).toBe(7);
      expect(await store.getCheckState('acme/api', 'f'.repeat(40))).toBeUndefined();
    });

    it('keeps every contribution of 10 concurrent updateCheckState calls', async () => {
      const store = await newStore();
      const runIds = Array.from({ length: 10 }, (_, index) => index + 1);

      await Promise.all(
        runIds.map((id) =>
          updateCheckState(store, 'acme/api', SHA, (current) => ({
            ...(current ?? checkState({})),
            runs: { ...(current?.runs ?? {}), [String(id)]: contribution(id) },
          })),
        ),
      );

      const stored = await store.getCheckState('acme/api', SHA);
      expect(Object.keys(stored?.value.runs ?? {}).sort((a, b) => Number(a) - Number(b))).toEqual(runIds.map(String));
    });

    it('finds a verdict by repository (any case), digest, commit and policy branch, and by nothing less', async () => {
      const store = await newStore();
      const record = verdictRecord({ digest: 'sha256:' + 'a'.repeat(64), imageId: 'sha256:' + 'b'.repeat(64) });
      const key = { repository: 'acme/api', digest: record.digest, sha: SHA, policyRef: 'main' };

      await store.putVerdict(record);

      expect(await store.getVerdict(key)).toEqual(record);
      expect(await store.getVerdict({ ...key, repository: 'ACME/Api' })).toEqual(record);
      expect(await store.getVerdict({ ...key, repository: 'evil/api' })).toBeUndefined();
      expect(await store.getVerdict({ ...key, digest: 'sha256:' + 'c'.repeat(64) })).toBeUndefined();
      expect(await store.getVerdict({ ...key, sha: 'f'.repeat(40) })).toBeUndefined();
      expect(await store.getVerdict({ ...key, policyRef: 'lax' })).toBeUndefined();
    });

    it("keeps each repository's verdict of one digest: another repository never overwrites it", async () => {
      const store = await newStore();
      const digest = 'sha256:' + 'a'.repeat(64);

      await store.putVerdict(verdictRecord({ digest, allowed: false }));
      await store.putVerdict(verdictRecord({ digest, allowed: true, repository: 'evil/api' }));

      expect((await store.getVerdict({ repository: 'acme/api', digest, sha: SHA, policyRef: 'main' }))?.allowed).toBe(false);
      expect((await store.getVerdict({ repository: 'evil/api', digest, sha: SHA, policyRef: 'main' }))?.allowed).toBe(true);
    });

    it('replaces the verdict of a digest judged again at the same commit under the same policy branch', async () => {
      const store = await newStore();
      const digest = 'sha256:' + 'a'.repeat(64);

      await store.putVerdict(verdictRecord({ digest, allowed: false }));
      await store.putVerdict(verdictRecord({ digest, allowed: true }));

      expect((await store.getVerdict({ repository: 'acme/api', digest, sha: SHA, policyRef: 'main' }))?.allowed).toBe(true);
    });

    it.each([
      { name: 'a newer version replaces it', first: '2026-11-20T00:00:00Z', second: '2026-11-21T00:00:00Z', written: true },
      { name: 'the same version again (a redelivery) replaces it', first: '2026-11-20T00:00:00Z', second: '2026-11-20T00:00:00Z', written: true },
      { name: 'an older version (a replayed event) leaves it', first: '2026-11-20T00:00:00Z', second: '2026-11-19T00:00:00Z', written: false },
      { name: 'a version without a time leaves one that has a time', first: '2026-11-20T00:00:00Z', second: '', written: false },
    ])('publish of one tag: $name', async ({ first, second, written }) => {
      const store = await newStore();
      await store.putPublish(publish({ digest: 'sha256:' + '1'.repeat(64), versionUpdatedAt: first }));

      const result = await store.putPublish(publish({ digest: 'sha256:' + '2'.repeat(64), versionUpdatedAt: second }));

      expect(result).toBe(written);
      expect((await store.getPublish('ghcr.io/acme/api', '1.2.3'))?.digest).toBe('sha256:' + (written ? '2' : '1').repeat(64));
    });

    it('lists the attempts of one stream in a sequence range, in number order, and forgets a cleared one', async () => {
      const store = await newStore();
      const stream = 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-11-26T00:00:00.000';
      const attempt = (sequenceNumber: string, jobId: string, streamArn = stream) => ({ streamArn, sequenceNumber, jobId, startedAt: '2026-11-26T00:00:00.000Z' });
      for (const each of [attempt('900000000000000000001', 'a'), attempt('1000000000000000000002', 'b'), attempt('1000000000000000000003', 'c'), attempt('1000000000000000000002', 'other', `${stream}x`)]) {
        await store.putAttempt(each);
      }
      await store.clearAttempt(stream, '1000000000000000000003');

      const listed = await store.listAttempts(stream, '900000000000000000001', '1000000000000000000003');

      expect(listed.map((each) => each.jobId)).toEqual(['a', 'b']);
      expect(listed[1]).toEqual(attempt('1000000000000000000002', 'b'));
      expect(await store.listAttempts(stream, '1000000000000000000003', '1000000000000000000009')).toEqual([]);
    });

    it.each([
      { name: 'verified with a verdict', record: publish({ state: 'verified', allowed: false, sha: SHA }) },
      { name: 'unscanned without a commit', record: publish({ state: 'unscanned' }) },
    ])('records a publish: $name', async ({ record }) => {
      const store = await newStore();

      expect(await store.putPublish(record)).toBe(true);

      expect(await store.getPublish(record.image, record.tag)).toEqual(record);
      expect(await store.getPublish(record.image, 'other')).toBeUndefined();
    });

    it('keeps the facts of a digest per repository; judging it again replaces them', async () => {
      const store = await newStore();
      const bundle = { key: 'sha256:f', image: { ref: 'ghcr.io/acme/api:1', registry: 'ghcr.io', repository: 'acme/api', tag: '1', digest: 'sha256:f' }, packages: [], vulnerabilities: [], secrets: [], checks: [], licenses: [], malware: [], oval: [], reports: [] };
      const record = { repository: 'Acme/API', digest: 'sha256:f', sha: 'c1', evaluatedAt: '2026-11-26T00:00:00.000Z', bundle };

      expect(await store.putFacts(record)).toBe(true);
      expect(await store.putFacts({ ...record, sha: 'c2' })).toBe(true);

      expect(await store.getFacts('acme/api', 'sha256:f')).toEqual({ ...record, sha: 'c2' });
      expect(await store.getFacts('acme/other', 'sha256:f')).toBeUndefined();
    });

    it("records each default-branch commit's digest per image name, and keeps the latest by time, whatever the order", async () => {
      const store = await newStore();
      const record = (sha: string, digest: string, recordedAt: string) => ({ repository: 'Acme/API', sha, image: 'ghcr.io/acme/api', digest, recordedAt });

      await store.putDefaultBranchDigest(record('c2', 'sha256:2', '2026-11-02T00:00:00.000Z'));
      await store.putDefaultBranchDigest(record('c1', 'sha256:1', '2026-11-01T00:00:00.000Z'));

      expect(await store.getDefaultBranchDigest('acme/api', 'c1', 'ghcr.io/acme/api')).toEqual(record('c1', 'sha256:1', '2026-11-01T00:00:00.000Z'));
      expect(await store.getLatestDefaultBranchDigest('acme/api', 'ghcr.io/acme/api')).toEqual(record('c2', 'sha256:2', '2026-11-02T00:00:00.000Z'));
      expect(await store.getDefaultBranchDigest('acme/api', 'c3', 'ghcr.io/acme/api')).toBeUndefined();
      expect(await store.getLatestDefaultBranchDigest('acme/api', 'ghcr.io/acme/web')).toBeUndefined();
    });

    it("keeps each commit's latest policy outcomes per repository and lists those judged since a time", async () => {
      const store = await newStore();
      const record = (sha: string, evaluatedAt: string, failed: boolean): PolicyHistoryRecord => ({
        repository: 'Acme/API',
        sha,
        evaluatedAt,
        policies: [{ name: 'next-quarter', enforcement: 'shadow', failed }],
      });

      await store.putPolicyHistory(record('c1', '2026-10-01T00:00:00.000Z', true));
      await store.putPolicyHistory(record('c2', '2026-11-20T00:00:00.000Z', true));
      await store.putPolicyHistory(record('c2', '2026-11-21T00:00:00.000Z', false));
      await store.putPolicyHistory({ ...record('c3', '2026-11-22T00:00:00.000Z', true), repository: 'acme/other' });

      const listed = await store.listPolicyHistory('acme/api', new Date('2026-11-01T00:00:00Z'));

      expect(listed).toEqual([record('c2', '2026-11-21T00:00:00.000Z', false)]);
      expect(await store.listPolicyHistory('acme/none', new Date(0))).toEqual([]);
    });
  });
}

export const SHA = 'e'.repeat(40);

export function checkState(overrides: Partial<CheckState>): CheckState {
  return {
    repository: 'acme/api',
    sha: SHA,
    installationId: 1,
    runs: {},
    sources: [],
    notes: [],
    pullRequests: [],
    updatedAt: '2026-11-26T00:00:00.000Z',
    ...overrides,
  };
}

export function contribution(id: number): RunContribution {
  return { run: { id, name: `build-${id}`, url: `https://github.com/acme/api/actions/runs/${id}` }, images: {}, problems: [], evaluatedAt: '2026-11-26T00:00:00.000Z' };
}

export function imageVerdict(overrides: Partial<ImageVerdict> = {}): ImageVerdict {
  return {
    image: 'ghcr.io/acme/api:1.2.3',
    digest: 'sha256:' + 'a'.repeat(64),
    allowed: false,
    status: 'blocked',
    unscoped: false,
    policies: [
      {
        name: 'production-readiness',
        enforcement: 'block',
        source: '.github/image-assurance.yml',
        passed: false,
        violations: [{ rule: 'severity', id: 'CVE-2021-44228', package: 'log4j-core', version: '2.14.1', severity: 'critical', cvss: 10, fixed_version: '2.17.1', message: 'critical vulnerability' }],
        suppressed: [],
        exceptions: [],
      },
    ],
    reports: [{ path: 'image-scan/trivy.json', format: 'trivy', tool: 'Trivy' }],
    ...overrides,
  };
}

export function verdictRecord(overrides: Partial<VerdictRecord> & { digest: string }): VerdictRecord {
  const verdict = imageVerdict({ digest: overrides.digest, allowed: overrides.allowed ?? false, status: overrides.allowed ? 'allowed' : 'blocked' });
  return {
    image: 'ghcr.io/acme/api:1.2.3',
    repository: 'acme/api',
    sha: SHA,
    runId: 42,
    policyRef: 'main',
    policyFiles: ['.github/image-assurance.yml@main', 'preset:baseline'],
    allowed: false,
    status: 'blocked',
    policies: [{ name: 'production-readiness', source: '.github/image-assurance.yml', passed: false, enforcement: 'block' }],
    evaluatedAt: '2026-11-26T00:00:00.000Z',
    verdict,
    ...overrides,
    ...(overrides.allowed ? { status: 'allowed' as const } : {}),
  };
}

export function publish(overrides: Partial<PublishRecord>): PublishRecord {
  return {
    image: 'ghcr.io/acme/api',
    tag: '1.2.3',
    digest: 'sha256:' + 'a'.repeat(64),
    repository: 'acme/api',
    state: 'unscanned',
    publishedAt: '2026-11-26T00:00:00.000Z',
    versionUpdatedAt: '2026-11-25T00:00:00Z',
    ...overrides,
  };
}
