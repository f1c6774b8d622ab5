import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OperationError } from '../errors.ts';
import { createTableInput } from './table.ts';

/** dynalite ships no types: the part of its API used here. */
type CreateDynalite = (options: { path?: string; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

export interface RunningDynalite {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts dynalite in this process on loopback (`npm start` without DYNAMODB_ENDPOINT, and the tests).
 * `path` keeps the data in that folder (created); without it the data lives in memory.
 */
export async function startDynalite(options: { path?: string; port?: number } = {}): Promise<RunningDynalite> {
  const createDynalite = loadDynalite();
  if (options.path !== undefined) mkdirSync(options.path, { recursive: true });
  const server = createDynalite({
    ...(options.path === undefined ? {} : { path: options.path }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

const TABLE_ACTIVE_ATTEMPTS = 100;
const TABLE_ACTIVE_POLL_MS = 20;

function loadDynalite(): CreateDynalite {
  try {
    return createRequire(import.meta.url)('dynalite') as CreateDynalite;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new OperationError('dynalite is not installed (it is a dev dependency): run npm ci, or set DYNAMODB_ENDPOINT to a DynamoDB', { cause: error });
  }
}

/** Creates the table (table.ts's definition) unless it exists, and waits until it is ACTIVE. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  if ((await describeTableStatus(client, tableName)) === undefined) {
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
    } catch (error) {
      throw new OperationError(`DynamoDB: could not create table ${tableName}`, { cause: error });
    }
  }
  for (let attempt = 0; attempt < TABLE_ACTIVE_ATTEMPTS; attempt++) {
    if ((await describeTableStatus(client, tableName)) === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, TABLE_ACTIVE_POLL_MS));
  }
  throw new OperationError(`DynamoDB: table ${tableName} did not become ACTIVE`);
}

async function describeTableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const result = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return result.Table?.TableStatus ?? 'UNKNOWN';
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw new OperationError(`DynamoDB: could not describe table ${tableName}`, { cause: error });
  }
}
