import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getParameters, readGetParametersResponse } from '../../../functions/lib/secrets.ts';
import { OperationError } from '../../../src/errors.ts';

interface Seen {
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let endpoint: string;
let answer: { status: number; body: string };
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      seen.push({ headers: request.headers, body });
      response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const credentials = { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret', sessionToken: 'fake-token' };
const names = ['/image-assurance/dev/app-id', '/image-assurance/dev/webhook-secret'];

describe('functions/lib/secrets.ts', () => {
  it.each([
    { name: 'present', parameters: [{ Name: names[1], Value: 's3cret' }, { Name: '/image-assurance/dev/webhook-secret-previous', Value: 'old' }], invalid: [], expected: { [names[1]!]: 's3cret', '/image-assurance/dev/webhook-secret-previous': 'old' } },
    { name: 'absent (outside a rotation)', parameters: [{ Name: names[1], Value: 's3cret' }], invalid: ['/image-assurance/dev/webhook-secret-previous'], expected: { [names[1]!]: 's3cret' } },
  ])('asks for an optional parameter in the same call and accepts it $name', async ({ parameters, invalid, expected }) => {
    answer = { status: 200, body: JSON.stringify({ Parameters: parameters, InvalidParameters: invalid }) };
    seen.length = 0;

    const values = await getParameters([names[1]!], { region: 'us-east-1', endpoint, credentials }, ['/image-assurance/dev/webhook-secret-previous']);

    expect(values).toEqual(expected);
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]!.body)).toEqual({ Names: [names[1], '/image-assurance/dev/webhook-secret-previous'], WithDecryption: true });
  });

  it('signs one GetParameters call with decryption and reads every value', async () => {
    answer = { status: 200, body: JSON.stringify({ Parameters: [{ Name: names[0], Value: '123', Type: 'SecureString' }, { Name: names[1], Value: 's3cret', Type: 'SecureString' }], InvalidParameters: [] }) };
    seen.length = 0;

    const values = await getParameters(names, { region: 'eu-west-1', endpoint, credentials });

    expect(values).toEqual({ [names[0]!]: '123', [names[1]!]: 's3cret' });
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]!.body)).toEqual({ Names: names, WithDecryption: true });
    expect(seen[0]!.headers['x-amz-target']).toBe('AmazonSSM.GetParameters');
    expect(seen[0]!.headers['x-amz-security-token']).toBe('fake-token');
    expect(seen[0]!.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFAKE\/\d{8}\/eu-west-1\/ssm\/aws4_request, SignedHeaders=[^,]*x-amz-target[^,]*, Signature=[0-9a-f]{64}$/);
  });

  it.each([
    { name: 'a parameter SSM does not know', status: 200, body: JSON.stringify({ Parameters: [{ Name: names[0], Value: '123' }], InvalidParameters: [names[1]] }), message: /missing or empty: \/image-assurance\/dev\/webhook-secret \(SSM says invalid/ },
    { name: 'an empty value', status: 200, body: JSON.stringify({ Parameters: [{ Name: names[0], Value: '123' }, { Name: names[1], Value: '' }] }), message: /missing or empty: \/image-assurance\/dev\/webhook-secret/ },
    { name: 'access denied', status: 400, body: JSON.stringify({ __type: 'AccessDeniedException', message: 'not allowed' }), message: /answered 400: AccessDeniedException: not allowed/ },
    { name: 'an answer that is not JSON', status: 200, body: '<html>', message: /not JSON/ },
  ])('fails closed on $name', async ({ status, body, message }) => {
    answer = { status, body };

    const result = getParameters(names, { region: 'eu-west-1', endpoint, credentials });

    await expect(result).rejects.toBeInstanceOf(OperationError);
    await expect(result).rejects.toThrow(message);
  });

  it('refuses to call without credentials', async () => {
    const result = getParameters(names, { region: 'eu-west-1', endpoint });

    await expect(result).rejects.toThrow(/no AWS credentials/);
  });

  it.each([
    { name: 'no Parameters field', text: '{}' },
    { name: 'null', text: 'null' },
    { name: 'a value that is not a string', text: JSON.stringify({ Parameters: [{ Name: 'a', Value: 1 }] }) },
  ])('reads $name as missing', ({ text }) => {
    expect(() => readGetParametersResponse(text, ['a'])).toThrow(/missing or empty: a/);
  });
});
