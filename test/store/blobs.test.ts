import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobKey, createDirectoryBlobStore, type BlobStore } from '../../src/store/blobs.ts';
import { DynamoStore } from '../../src/store/dynamo.ts';
import { createS3BlobStore, createS3Client } from '../../src/store/s3-blobs.ts';
import type { FactsRecord } from '../../src/store/store.ts';
import { keys, MAX_BODY_BYTES } from '../../src/store/table.ts';
import { buildBundle, buildPackage } from '../helpers/build-bundle.ts';
import { startTestTable, type TestTable } from '../helpers/dynalite.ts';

/**
 * Facts too large for a DynamoDB item go to a blob store: S3 (s3rver on loopback, started here),
 * or a folder for npm start. s3rver ships no types: the part of its API used here.
 */
type S3rverInstance = { run(): Promise<{ address: string; port: number }>; close(): Promise<void> };
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;

const BUCKET = 'facts-test';
let s3rver: S3rverInstance;
let client: S3Client;
let table: TestTable;
const folders: string[] = [];

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'ia-blobs-'));
  folders.push(folder);
  return folder;
}

beforeAll(async () => {
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: tempFolder(), configureBuckets: [{ name: BUCKET }] });
  const { port } = await s3rver.run();
  client = createS3Client({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}` });
  table = await startTestTable();
});

afterAll(async () => {
  client.destroy();
  await s3rver.close();
  await table.stop();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Facts whose gzipped JSON is larger than an item may hold: package names of random bytes do not compress. */
function largeFacts(): FactsRecord {
  const packages = Array.from({ length: 10_000 }, (_, i) => buildPackage({ name: `${randomBytes(48).toString('base64')}-${i}`, version: '1.0.0' }));
  return { repository: 'Acme/API', digest: `sha256:${'f'.repeat(64)}`, sha: 'c1', evaluatedAt: '2026-11-26T00:00:00.000Z', bundle: buildBundle({ image: 'ghcr.io/acme/api:1', packages }) };
}

describe.each([
  ['src/store/s3-blobs.ts (s3rver)', (): BlobStore => createS3BlobStore(client, BUCKET)],
  ['src/store/blobs.ts (a folder)', (): BlobStore => createDirectoryBlobStore(tempFolder())],
])('%s', (_name, newBlobs) => {
  it('gives back what was put, and undefined for a key never put', async () => {
    const blobs = newBlobs();
    const body = new Uint8Array(randomBytes(1024));

    await blobs.put(blobKey('facts', 'Acme/API', 'sha256:abc.json.gz'), body);

    expect(await blobs.get(blobKey('facts', 'acme/api', 'sha256:abc.json.gz'))).toEqual(body);
    expect(await blobs.get(blobKey('facts', 'acme/api', 'sha256:nope.json.gz'))).toBeUndefined();
  });

  it('keeps facts over the item limit for the DynamoDB store: the item points at the blob', async () => {
    const blobs = newBlobs();
    const store = new DynamoStore({ client: table.client, tableName: (await table.newStore()).tableName, blobs });
    const facts = largeFacts();

    expect(await store.putFacts(facts)).toBe(true);

    const item = await table.client.send(new GetItemCommand({ TableName: store.tableName, Key: { pk: { S: keys.facts('Acme/API', facts.digest).pk }, sk: { S: 'FACTS' } } }));
    expect(item.Item?.['body']).toBeUndefined();
    expect(item.Item?.['blob']?.S).toBe(`facts/acme_api/sha256_${'f'.repeat(64)}.json.gz`);
    expect((await blobs.get(item.Item!['blob']!.S!))!.byteLength).toBeGreaterThan(MAX_BODY_BYTES);
    expect(await store.getFacts('acme/api', facts.digest)).toEqual(facts);
  });
});

describe('src/store/dynamo.ts without a blob store', () => {
  it('does not keep facts over the item limit, and says so', async () => {
    const store = await table.newStore();

    expect(await store.putFacts(largeFacts())).toBe(false);
    expect(await store.getFacts('acme/api', `sha256:${'f'.repeat(64)}`)).toBeUndefined();
  });
});

describe('src/store/blobs.ts blobKey', () => {
  it.each([
    [['facts', 'Acme/API', 'sha256:ab.json.gz'], 'facts/acme_api/sha256_ab.json.gz'],
    [['facts', '../etc', 'x'], 'facts/__etc/x'],
  ])('%j → %s', (parts, key) => {
    expect(blobKey(...parts)).toBe(key);
  });
});
