import { pino } from 'pino';
import type { LambdaConfig } from '../../src/env.ts';
import { createWorker, type Worker } from '../../src/worker/worker.ts';
import { createDynamoClient, DynamoStore } from '../../src/store/dynamo.ts';
import { createS3BlobStore, createS3Client } from '../../src/store/s3-blobs.ts';
import { getParameters } from './secrets.ts';

/**
 * What the functions that call GitHub (worker, dead-letters) build once per cold start: the store
 * and one worker with the App's ID and private key from SSM. Only these two functions' roles may
 * read the private key.
 */

export function createStoreFromEnvironment(config: LambdaConfig): DynamoStore {
  return new DynamoStore({
    client: createDynamoClient({ region: config.region, ...(config.dynamodbEndpoint === undefined ? {} : { endpoint: config.dynamodbEndpoint }) }),
    tableName: config.tableName,
    ...(config.facts === undefined ? {} : { blobs: createS3BlobStore(createS3Client({ region: config.region, ...(config.facts.endpoint === undefined ? {} : { endpoint: config.facts.endpoint }) }), config.facts.bucket) }),
  });
}

export async function createWorkerFromEnvironment(config: LambdaConfig, store: DynamoStore): Promise<Worker> {
  const { appId, privateKey } = config.parameters;
  const values = await getParameters([appId, privateKey], config.ssm);
  return createWorker({
    appId: values[appId] ?? '',
    privateKey: values[privateKey] ?? '',
    ...(config.baseUrl === undefined ? {} : { baseUrl: config.baseUrl }),
    store,
    // JSON lines for CloudWatch, at LOG_LEVEL (Probot's own default is pretty-printed at warn).
    log: pino({ level: config.logLevel }),
  });
}
