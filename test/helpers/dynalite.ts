import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient, DynamoStore } from '../../src/store/dynamo.ts';
import { ensureTable, startDynalite } from '../../src/store/dynalite.ts';

export interface TestTable {
  endpoint: string;
  tableName: string;
  client: DynamoDBClient;
  /** A store on a fresh table of its own. */
  newStore(): Promise<DynamoStore>;
  stop(): Promise<void>;
}

/**
 * dynalite on a random loopback port (port 0 on 127.0.0.1), in memory, with the table created
 * through table.ts's CreateTable input. Call `stop()` in afterAll.
 */
export async function startTestTable(): Promise<TestTable> {
  const dynalite = await startDynalite();
  const client = createDynamoClient({ region: 'us-east-1', endpoint: dynalite.endpoint });
  const tableName = `test-${randomUUID()}`;
  await ensureTable(client, tableName);
  return {
    endpoint: dynalite.endpoint,
    tableName,
    client,
    async newStore() {
      const name = `test-${randomUUID()}`;
      await ensureTable(client, name);
      return new DynamoStore({ client, tableName: name });
    },
    async stop() {
      client.destroy();
      await dynalite.stop();
    },
  };
}
