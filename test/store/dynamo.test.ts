import { randomBytes } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Violation } from '../../src/model/verdict.ts';
import { jobFromItem, type DynamoStore } from '../../src/store/dynamo.ts';
import { createMemoryStore } from '../../src/store/memory.ts';
import { keys } from '../../src/store/table.ts';
import { startTestTable, type TestTable } from '../helpers/dynalite.ts';
import { checkState, describeStoreContract, imageVerdict, SHA, verdictRecord } from './contract.ts';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => {
  await table.stop();
});

describeStoreContract('src/store/dynamo.ts', () => table.newStore());
// The same contract against the in-memory store, so the two can never drift apart.
describeStoreContract('src/store/memory.ts', async () => createMemoryStore());

describe('src/store/dynamo.ts', () => {
  async function rawItem(tableName: string, key: { pk: string; sk: string }) {
    const result = await table.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } } }));
    return result.Item;
  }

  it.each([
    { name: 'delivery', ttlDays: 7, write: (s: DynamoStore) => s.putDelivery('d-1', new Date('2026-11-26T00:00:00Z')), key: keys.delivery('d-1') },
    { name: 'job', ttlDays: 7, write: (s: DynamoStore) => s.putJob({ id: 'd-1', event: 'ping', payload: {}, receivedAt: '2026-11-26T00:00:00.000Z' }), key: keys.job('d-1') },
    { name: 'check state', ttlDays: 90, write: (s: DynamoStore) => s.putCheckState(checkState({ updatedAt: '2026-11-26T00:00:00.000Z' }), undefined), key: keys.check('acme/api', SHA) },
  ])('puts a ttl on the transient $name item', async ({ write, key, ttlDays }) => {
    const store = await table.newStore();

    await write(store);

    const item = await rawItem(store.tableName, key);
    expect(item?.['ttl']?.N).toBe(String(Date.parse('2026-11-26T00:00:00Z') / 1000 + ttlDays * 86_400));
  });

  it('keeps the verdict item without a ttl, under its repository, digest, commit and policy branch', async () => {
    const store = await table.newStore();
    const record = verdictRecord({ digest: 'sha256:' + 'a'.repeat(64), repository: 'Acme/API' });

    await store.putVerdict(record);

    const item = await rawItem(store.tableName, keys.verdict(record));
    expect(keys.verdict(record)).toEqual({ pk: `VERDICT#acme/api#${record.digest}`, sk: `COMMIT#${SHA}#REF#main` });
    expect(item?.['digest']?.S).toBe(record.digest);
    expect(item?.['policyFiles']?.L).toEqual(record.policyFiles.map((file) => ({ S: file })));
    expect(item?.['ttl']).toBeUndefined();
  });

  it('turns a stored job item back into the job (the worker reads stream images this way)', async () => {
    const store = await table.newStore();
    const job = { id: 'd-9', event: 'workflow_run', payload: { action: 'completed' }, receivedAt: '2026-11-26T00:00:00.000Z' };
    await store.putJob(job);

    const item = await rawItem(store.tableName, keys.job('d-9'));

    expect(jobFromItem(item ?? {})).toEqual(job);
  });

  it('stores a verdict with 20,000 violations (over 400 KB as JSON) whole, compressed', async () => {
    const store = await table.newStore();
    const violations: Violation[] = Array.from({ length: 20_000 }, (_, index) => ({
      rule: 'severity', id: `CVE-2024-${10_000 + index}`, package: `pkg-${index % 300}`, version: '1.0.0', severity: 'high', fixed_version: '1.0.1', message: `pkg-${index % 300} 1.0.0 has CVE-2024-${10_000 + index} (high), fixed in 1.0.1`,
    }));
    const base = imageVerdict();
    const record = verdictRecord({ digest: 'sha256:' + 'd'.repeat(64), verdict: { ...base, policies: [{ ...base.policies[0]!, violations }] } });
    expect(JSON.stringify(record).length).toBeGreaterThan(400 * 1024);

    await store.putVerdict(record);

    expect(await store.getVerdict(record)).toEqual(record);
  });

  it('trims an incompressible verdict to fit and keeps its outcome exact', async () => {
    const store = await table.newStore();
    const violations: Violation[] = Array.from({ length: 6_000 }, (_, index) => ({
      rule: 'custom', id: `rule-${index}`, message: randomBytes(96).toString('base64'),
    }));
    const base = imageVerdict();
    const record = verdictRecord({ digest: 'sha256:' + 'e'.repeat(64), verdict: { ...base, policies: [{ ...base.policies[0]!, violations }] } });

    await store.putVerdict(record);

    const stored = await store.getVerdict(record);
    const item = await rawItem(store.tableName, keys.verdict(record));
    expect(item?.['isTrimmed']?.BOOL).toBe(true);
    expect(stored?.allowed).toBe(false);
    expect(stored?.verdict.policies[0]?.passed).toBe(false);
    expect(stored?.verdict.policies[0]?.violations.length).toBeGreaterThan(0);
    expect(stored?.verdict.policies[0]?.violations.length).toBeLessThan(violations.length);
    expect(stored?.verdict.policies[0]?.violations[0]).toEqual(violations[0]);
  });
});

