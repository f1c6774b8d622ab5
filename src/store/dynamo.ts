import { gunzipSync, gzipSync } from 'node:zlib';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { OperationError } from '../errors.ts';
import { blobKey, type BlobStore } from './blobs.ts';
import type { CheckState, DefaultBranchDigest, FactsRecord, Job, JobAttempt, PolicyHistoryRecord, PublishRecord, Store, VerdictKey, VerdictRecord, Versioned } from './store.ts';
import { versionTime } from './store.ts';
import {
  ATTEMPT_TTL_SECONDS,
  CHECK_STATE_TTL_SECONDS,
  DELIVERY_TTL_SECONDS,
  FACTS_TTL_SECONDS,
  JOB_TTL_SECONDS,
  MAX_BODY_BYTES,
  POLICY_HISTORY_TTL_SECONDS,
  TTL_ATTRIBUTE,
  keys,
} from './table.ts';

type Item = Record<string, AttributeValue>;

export interface DynamoStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Where facts too large for an item go (S3 in Lambda, a folder for npm start); without it they are not kept. */
  blobs?: BlobStore;
}

/** The client for a table: `endpoint` for dynalite/DynamoDB Local, else the region's endpoint. */
export function createDynamoClient(options: { region: string; endpoint?: string }): DynamoDBClient {
  return new DynamoDBClient({
    region: options.region,
    ...(options.endpoint === undefined
      ? {}
      : { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  });
}

/**
 * The Store on one DynamoDB table (key design in table.ts). Conditional writes only. Bodies
 * (job payloads, check states, verdicts) are gzipped JSON in a Binary attribute so that large
 * verdicts stay under the 400 KB item limit.
 */
export class DynamoStore implements Store {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #blobs: BlobStore | undefined;

  constructor(options: DynamoStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#blobs = options.blobs;
  }

  get tableName(): string {
    return this.#tableName;
  }

  async putDelivery(id: string, receivedAt: Date): Promise<boolean> {
    const item: Item = {
      ...keyItem(keys.delivery(id)),
      receivedAt: { S: receivedAt.toISOString() },
      [TTL_ATTRIBUTE]: ttl(receivedAt, DELIVERY_TTL_SECONDS),
    };
    return this.#putIf(item, 'attribute_not_exists(pk)', undefined, `record delivery ${id}`);
  }

  async putJob(job: Job): Promise<void> {
    const body = compress({ event: job.event, payload: job.payload }, `job ${job.id}`);
    const item: Item = {
      ...keyItem(keys.job(job.id)),
      id: { S: job.id },
      event: { S: job.event },
      receivedAt: { S: job.receivedAt },
      body: { B: body },
      [TTL_ATTRIBUTE]: ttl(new Date(job.receivedAt), JOB_TTL_SECONDS),
    };
    // Put only if absent: a redelivery stores nothing and makes no stream record.
    await this.#putIf(item, 'attribute_not_exists(pk)', undefined, `store job ${job.id}`);
  }

  async getJob(id: string): Promise<Job | undefined> {
    const item = await this.#get(keys.job(id), `read job ${id}`);
    return item === undefined ? undefined : jobFromItem(item);
  }

  async getCheckState(repository: string, sha: string): Promise<Versioned<CheckState> | undefined> {
    const item = await this.#get(keys.check(repository, sha), `read check state of ${repository}@${sha}`);
    if (item === undefined) return undefined;
    return { value: decompress<CheckState>(item['body']), version: Number(item['version']?.N ?? '0') };
  }

  async putCheckState(state: CheckState, expectedVersion: number | undefined): Promise<boolean> {
    const what = `write check state of ${state.repository}@${state.sha}`;
    const item: Item = {
      ...keyItem(keys.check(state.repository, state.sha)),
      version: { N: String((expectedVersion ?? 0) + 1) },
      updatedAt: { S: state.updatedAt },
      body: { B: compress(state, what) },
      [TTL_ATTRIBUTE]: ttl(new Date(state.updatedAt), CHECK_STATE_TTL_SECONDS),
    };
    if (expectedVersion === undefined) return this.#putIf(item, 'attribute_not_exists(pk)', undefined, what);
    return this.#putIf(item, 'version = :expected', { ':expected': { N: String(expectedVersion) } }, what);
  }

  async putVerdict(record: VerdictRecord): Promise<void> {
    const what = `store verdict of ${record.digest} from ${record.repository}@${record.sha}`;
    const { body, isTrimmed } = compressVerdict(record, what);
    const item: Item = {
      ...keyItem(keys.verdict(record)),
      digest: { S: record.digest },
      image: { S: record.image },
      repository: { S: record.repository },
      sha: { S: record.sha },
      policyRef: { S: record.policyRef },
      policyFiles: { L: record.policyFiles.map((file) => ({ S: file })) },
      allowed: { BOOL: record.allowed },
      status: { S: record.status },
      evaluatedAt: { S: record.evaluatedAt },
      isTrimmed: { BOOL: isTrimmed },
      body: { B: body },
      ...(record.imageId === undefined ? {} : { imageId: { S: record.imageId } }),
      ...(record.runId === undefined ? {} : { runId: { N: String(record.runId) } }),
    };
    await this.#put(item, what);
  }

  async getVerdict(key: VerdictKey): Promise<VerdictRecord | undefined> {
    const item = await this.#get(keys.verdict(key), `read verdict of ${key.digest} from ${key.repository}@${key.sha}`);
    return item === undefined ? undefined : decompress<VerdictRecord>(item['body']);
  }

  async putPublish(record: PublishRecord): Promise<boolean> {
    const updatedMs = versionTime(record);
    const item: Item = {
      ...keyItem(keys.publish(record.image, record.tag)),
      image: { S: record.image },
      tag: { S: record.tag },
      digest: { S: record.digest },
      repository: { S: record.repository },
      state: { S: record.state },
      publishedAt: { S: record.publishedAt },
      versionUpdatedAt: { S: record.versionUpdatedAt },
      versionUpdatedMs: { N: String(updatedMs) },
      ...(record.sha === undefined ? {} : { sha: { S: record.sha } }),
      ...(record.allowed === undefined ? {} : { allowed: { BOOL: record.allowed } }),
    };
    // Only a version at least as new replaces the record: a replayed older event changes nothing.
    return this.#putIf(
      item,
      'attribute_not_exists(pk) OR attribute_not_exists(versionUpdatedMs) OR versionUpdatedMs <= :updated',
      { ':updated': { N: String(updatedMs) } },
      `record publish of ${record.image}:${record.tag}`,
    );
  }

  async getPublish(image: string, tag: string): Promise<PublishRecord | undefined> {
    const item = await this.#get(keys.publish(image, tag), `read publish of ${image}:${tag}`);
    if (item === undefined) return undefined;
    const state = item['state']?.S;
    if (state !== 'verified' && state !== 'unscanned') {
      throw new OperationError(`publish of ${image}:${tag} has an unknown state ${String(state)}`);
    }
    return {
      image: requireString(item, 'image'),
      tag: requireString(item, 'tag'),
      digest: requireString(item, 'digest'),
      repository: requireString(item, 'repository'),
      state,
      publishedAt: requireString(item, 'publishedAt'),
      ...(item['sha']?.S === undefined ? {} : { sha: item['sha'].S }),
      // Records from before versions were compared have none: any version replaces them.
      versionUpdatedAt: item['versionUpdatedAt']?.S ?? '',
      ...(item['allowed']?.BOOL === undefined ? {} : { allowed: item['allowed'].BOOL }),
    };
  }

  async putFacts(record: FactsRecord): Promise<boolean> {
    const what = `store the facts of ${record.digest} from ${record.repository}@${record.sha}`;
    const body = gzip(record);
    // DynamoDB items stop at 400 KB: a larger bundle goes to the blob store, the item points at it.
    const blob = body.byteLength > MAX_BODY_BYTES ? blobKey('facts', record.repository, `${record.digest}.json.gz`) : undefined;
    if (blob !== undefined) {
      if (this.#blobs === undefined) return false;
      await this.#blobs.put(blob, body);
    }
    const item: Item = {
      ...keyItem(keys.facts(record.repository, record.digest)),
      sha: { S: record.sha },
      evaluatedAt: { S: record.evaluatedAt },
      ...(blob === undefined ? { body: { B: body } } : { blob: { S: blob } }),
      [TTL_ATTRIBUTE]: ttl(new Date(record.evaluatedAt), FACTS_TTL_SECONDS),
    };
    await this.#put(item, what);
    return true;
  }

  async getFacts(repository: string, digest: string): Promise<FactsRecord | undefined> {
    const item = await this.#get(keys.facts(repository, digest), `read the facts of ${digest} from ${repository}`);
    if (item === undefined) return undefined;
    const blob = item['blob']?.S;
    if (blob === undefined) return decompress<FactsRecord>(item['body']);
    if (this.#blobs === undefined) throw new OperationError(`the facts of ${digest} from ${repository} are in ${blob}, and no blob store is configured`);
    // The object may have expired (the bucket's lifecycle) before the item's TTL removed the item.
    const body = await this.#blobs.get(blob);
    return body === undefined ? undefined : decompress<FactsRecord>({ B: body });
  }
  async putDefaultBranchDigest(record: DefaultBranchDigest): Promise<void> {
    const what = `record the default-branch digest of ${record.image} at ${record.repository}@${record.sha}`;
    const attributes: Item = {
      repository: { S: record.repository },
      sha: { S: record.sha },
      image: { S: record.image },
      digest: { S: record.digest },
      recordedAt: { S: record.recordedAt },
      [TTL_ATTRIBUTE]: ttl(new Date(record.recordedAt), FACTS_TTL_SECONDS),
    };
    await this.#put({ ...keyItem(keys.defaultBranchDigest(record.repository, record.image, record.sha)), ...attributes }, what);
    // The latest: only if none is stored or the stored one is not newer (runs can finish out of order).
    await this.#putIf(
      { ...keyItem(keys.latestDefaultBranchDigest(record.repository, record.image)), ...attributes },
      'attribute_not_exists(pk) OR recordedAt <= :recordedAt',
      { ':recordedAt': { S: record.recordedAt } },
      what,
    );
  }

  async getDefaultBranchDigest(repository: string, sha: string, image: string): Promise<DefaultBranchDigest | undefined> {
    const item = await this.#get(keys.defaultBranchDigest(repository, image, sha), `read the default-branch digest of ${image} at ${repository}@${sha}`);
    return item === undefined ? undefined : defaultBranchDigestFromItem(item);
  }

  async getLatestDefaultBranchDigest(repository: string, image: string): Promise<DefaultBranchDigest | undefined> {
    const item = await this.#get(keys.latestDefaultBranchDigest(repository, image), `read the latest default-branch digest of ${image} in ${repository}`);
    return item === undefined ? undefined : defaultBranchDigestFromItem(item);
  }


  async putPolicyHistory(record: PolicyHistoryRecord): Promise<void> {
    const what = `store policy history of ${record.repository}@${record.sha}`;
    const item: Item = {
      ...keyItem(keys.history(record.repository, record.sha)),
      evaluatedAt: { S: record.evaluatedAt },
      body: { B: compress(record, what) },
      [TTL_ATTRIBUTE]: ttl(new Date(record.evaluatedAt), POLICY_HISTORY_TTL_SECONDS),
    };
    await this.#put(item, what);
  }

  async listPolicyHistory(repository: string, since: Date): Promise<PolicyHistoryRecord[]> {
    const what = `list policy history of ${repository}`;
    const records: PolicyHistoryRecord[] = [];
    let startKey: Item | undefined;
    try {
      do {
        const page = await this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            KeyConditionExpression: 'pk = :pk',
            FilterExpression: 'evaluatedAt >= :since',
            ExpressionAttributeValues: { ':pk': { S: keys.history(repository, '').pk }, ':since': { S: since.toISOString() } },
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
        );
        for (const item of page.Items ?? []) records.push(decompress<PolicyHistoryRecord>(item['body']));
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
    } catch (error) {
      throw new OperationError(`DynamoDB: could not ${what}`, { cause: error });
    }
    return records;
  }

  async putAttempt(attempt: JobAttempt): Promise<void> {
    const item: Item = {
      ...keyItem(keys.attempt(attempt.streamArn, attempt.sequenceNumber)),
      streamArn: { S: attempt.streamArn },
      sequenceNumber: { S: attempt.sequenceNumber },
      jobId: { S: attempt.jobId },
      startedAt: { S: attempt.startedAt },
      [TTL_ATTRIBUTE]: ttl(new Date(attempt.startedAt), ATTEMPT_TTL_SECONDS),
    };
    await this.#put(item, `record the start of job ${attempt.jobId}`);
  }

  async clearAttempt(streamArn: string, sequenceNumber: string): Promise<void> {
    try {
      await this.#client.send(new DeleteItemCommand({ TableName: this.#tableName, Key: keyItem(keys.attempt(streamArn, sequenceNumber)) }));
    } catch (error) {
      throw new OperationError(`DynamoDB: could not clear the attempt of stream record ${sequenceNumber}`, { cause: error });
    }
  }

  async listAttempts(streamArn: string, fromSequence: string, toSequence: string): Promise<JobAttempt[]> {
    const from = keys.attempt(streamArn, fromSequence);
    const to = keys.attempt(streamArn, toSequence);
    const attempts: JobAttempt[] = [];
    let startKey: Item | undefined;
    do {
      let result;
      try {
        result = await this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': { S: from.pk }, ':from': { S: from.sk }, ':to': { S: to.sk } },
            ConsistentRead: true,
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
        );
      } catch (error) {
        throw new OperationError(`DynamoDB: could not list the attempts of stream records ${fromSequence} to ${toSequence}`, { cause: error });
      }
      for (const item of result.Items ?? []) {
        attempts.push({
          streamArn: requireString(item, 'streamArn'),
          sequenceNumber: requireString(item, 'sequenceNumber'),
          jobId: requireString(item, 'jobId'),
          startedAt: requireString(item, 'startedAt'),
        });
      }
      startKey = result.LastEvaluatedKey;
    } while (startKey !== undefined);
    return attempts;
  }

  async #get(key: { pk: string; sk: string }, what: string): Promise<Item | undefined> {
    try {
      const result = await this.#client.send(
        new GetItemCommand({ TableName: this.#tableName, Key: keyItem(key), ConsistentRead: true }),
      );
      return result.Item;
    } catch (error) {
      throw new OperationError(`DynamoDB: could not ${what}`, { cause: error });
    }
  }

  async #put(item: Item, what: string): Promise<void> {
    try {
      await this.#client.send(new PutItemCommand({ TableName: this.#tableName, Item: item }));
    } catch (error) {
      throw new OperationError(`DynamoDB: could not ${what}`, { cause: error });
    }
  }

  /** Resolves false when the condition failed; any other failure throws. */
  async #putIf(item: Item, condition: string, values: Item | undefined, what: string): Promise<boolean> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: item,
          ConditionExpression: condition,
          ...(values === undefined ? {} : { ExpressionAttributeValues: values }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new OperationError(`DynamoDB: could not ${what}`, { cause: error });
    }
  }
}

function defaultBranchDigestFromItem(item: Item): DefaultBranchDigest {
  return {
    repository: requireString(item, 'repository'),
    sha: requireString(item, 'sha'),
    image: requireString(item, 'image'),
    digest: requireString(item, 'digest'),
    recordedAt: requireString(item, 'recordedAt'),
  };
}

/** A stored job item (from GetItem or a stream's NEW_IMAGE) back into the Job. */
export function jobFromItem(item: Item): Job {
  const body = decompress<{ event: string; payload: unknown }>(item['body']);
  return {
    id: requireString(item, 'id'),
    event: body.event,
    payload: body.payload,
    receivedAt: requireString(item, 'receivedAt'),
  };
}

function keyItem(key: { pk: string; sk: string }): Item {
  return { pk: { S: key.pk }, sk: { S: key.sk } };
}

function ttl(from: Date, seconds: number): AttributeValue {
  return { N: String(Math.floor(from.getTime() / 1000) + seconds) };
}

function requireString(item: Item, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw new OperationError(`DynamoDB item ${item['pk']?.S ?? '?'} has no ${name}`);
  return value;
}

function compress(value: unknown, what: string): Uint8Array {
  const body = gzip(value);
  if (body.byteLength > MAX_BODY_BYTES) {
    throw new OperationError(
      `DynamoDB: could not ${what}: ${body.byteLength} bytes compressed, more than the ${MAX_BODY_BYTES} an item may hold`,
    );
  }
  return body;
}

function gzip(value: unknown): Uint8Array {
  const buffer = gzipSync(JSON.stringify(value));
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function decompress<T>(value: AttributeValue | undefined): T {
  if (value?.B === undefined) throw new OperationError('DynamoDB item has no body');
  try {
    return JSON.parse(gunzipSync(value.B).toString('utf8')) as T;
  } catch (error) {
    throw new OperationError('DynamoDB item body is not gzipped JSON', { cause: error });
  }
}

/**
 * A verdict compressed to fit one item. When even gzipped it is too large, the lists that do not
 * change the outcome are cut first (suppressed findings), then violations, halving each policy's
 * list until it fits; `allowed`, `status` and every policy's `passed` stay exact, and `isTrimmed`
 * on the item says that the lists are partial.
 */
function compressVerdict(record: VerdictRecord, what: string): { body: Uint8Array; isTrimmed: boolean } {
  let body = gzip(record);
  if (body.byteLength <= MAX_BODY_BYTES) return { body, isTrimmed: false };
  let trimmed: VerdictRecord = structuredClone(record);
  for (const list of ['suppressed', 'violations'] as const) {
    while (body.byteLength > MAX_BODY_BYTES && trimmed.verdict.policies.some((policy) => policy[list].length > 1)) {
      trimmed = {
        ...trimmed,
        verdict: {
          ...trimmed.verdict,
          policies: trimmed.verdict.policies.map((policy) => ({
            ...policy,
            [list]: policy[list].slice(0, Math.ceil(policy[list].length / 2)),
          })),
        },
      };
      body = gzip(trimmed);
    }
  }
  if (body.byteLength > MAX_BODY_BYTES) {
    throw new OperationError(`DynamoDB: could not ${what}: still ${body.byteLength} bytes after trimming`);
  }
  return { body, isTrimmed: true };
}
