import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { vi } from 'vitest';

/** A fake SSM on loopback: every call answers GetParameters with `parameters`; `calls` counts them. */
export interface FakeSsm {
  endpoint: string;
  readonly calls: number;
  close(): Promise<void>;
}

export async function startFakeSsm(parameters: { Name: string; Value: string }[]): Promise<FakeSsm> {
  let calls = 0;
  const server = createServer((request, response) => {
    calls++;
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ Parameters: parameters }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    get calls() {
      return calls;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The environment a Lambda cold start reads: the table on dynalite, SSM at `ssm`, fake AWS
 * credentials and the names of the three parameters under `parameterPrefix`. Undo with vi.unstubAllEnvs().
 */
export function stubColdStartEnv(env: { tableName: string; dynamoEndpoint: string; ssm: FakeSsm; parameterPrefix: string }): void {
  vi.stubEnv('TABLE_NAME', env.tableName);
  vi.stubEnv('DYNAMODB_ENDPOINT', env.dynamoEndpoint);
  vi.stubEnv('SSM_ENDPOINT', env.ssm.endpoint);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'fake');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'fake');
  vi.stubEnv('APP_ID_PARAMETER', `${env.parameterPrefix}/app-id`);
  vi.stubEnv('PRIVATE_KEY_PARAMETER', `${env.parameterPrefix}/private-key`);
  vi.stubEnv('WEBHOOK_SECRET_PARAMETER', `${env.parameterPrefix}/webhook-secret`);
}
