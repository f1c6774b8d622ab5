import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import type { AwsCredentials } from '../../src/env.ts';
import { OperationError } from '../../src/errors.ts';

/**
 * The App's secrets from SSM Parameter Store SecureStrings, read once per cold start.
 *
 * Why SigV4 over HTTPS and not the Parameters and Secrets Lambda Extension: the signer
 * (@smithy/signature-v4) is already inside every bundle through @aws-sdk/client-dynamodb, so this
 * costs ~3 KB and one round trip for all parameters (GetParameters), with no layer ARN per region
 * to keep up to date, no extra process in the sandbox, and an IAM statement that names exactly
 * `ssm:GetParameters` on these parameter ARNs. @aws-sdk/client-ssm is not a dependency; the Lambda
 * runtime puts the function role's credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/
 * AWS_SESSION_TOKEN, which is all the signer needs (no credential-provider chain).
 */

export interface SsmOptions {
  region: string;
  /** Override for tests (a loopback fake); default `https://ssm.<region>.amazonaws.com`. */
  endpoint?: string;
  credentials?: AwsCredentials;
  fetch?: typeof fetch;
}

/** https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html (at most 10 names) */
export const SSM_GET_PARAMETERS_MAX_NAMES = 10;

/**
 * Reads SecureStrings with decryption, in one call. Every name in `names` must exist: a missing one
 * throws, naming it. Names in `optionalNames` may be absent (e.g. the previous webhook secret
 * outside a rotation): they are then left out of the result.
 */
export async function getParameters(names: readonly string[], options: SsmOptions, optionalNames: readonly string[] = []): Promise<Record<string, string>> {
  const requested = [...names, ...optionalNames];
  if (requested.length === 0 || requested.length > SSM_GET_PARAMETERS_MAX_NAMES) {
    throw new OperationError(`SSM: GetParameters takes 1 to ${SSM_GET_PARAMETERS_MAX_NAMES} names, got ${requested.length}`);
  }
  if (options.credentials === undefined) {
    throw new OperationError('SSM: no AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) to read the secrets with');
  }
  const url = new URL(options.endpoint ?? `https://ssm.${options.region}.amazonaws.com/`);
  const body = JSON.stringify({ Names: requested, WithDecryption: true });
  const signer = new SignatureV4({ service: 'ssm', region: options.region, credentials: options.credentials, sha256: NodeSha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    path: url.pathname,
    query: {},
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonSSM.GetParameters',
    },
    body,
  });

  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { method: 'POST', headers: signed.headers, body });
  } catch (error) {
    throw new OperationError(`SSM: could not reach ${url.host}`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok) {
    throw new OperationError(`SSM: GetParameters answered ${response.status}: ${errorType(text)}`);
  }
  return readGetParametersResponse(text, names);
}

/** The GetParameters answer → name → value. Fails closed on anything missing or malformed. */
export function readGetParametersResponse(text: string, names: readonly string[]): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new OperationError('SSM: GetParameters answered with something that is not JSON', { cause: error });
  }
  const { Parameters, InvalidParameters } = (parsed ?? {}) as { Parameters?: unknown; InvalidParameters?: unknown };
  const values: Record<string, string> = {};
  if (Array.isArray(Parameters)) {
    for (const parameter of Parameters as { Name?: unknown; Value?: unknown }[]) {
      if (typeof parameter?.Name === 'string' && typeof parameter.Value === 'string') values[parameter.Name] = parameter.Value;
    }
  }
  const missing = names.filter((name) => values[name] === undefined || values[name] === '');
  if (missing.length > 0) {
    const invalid = Array.isArray(InvalidParameters) ? ` (SSM says invalid: ${InvalidParameters.join(', ')})` : '';
    throw new OperationError(`SSM: these parameters are missing or empty: ${missing.join(', ')}${invalid}`);
  }
  return values;
}

function errorType(text: string): string {
  try {
    const { __type, message } = JSON.parse(text) as { __type?: string; message?: string };
    return [__type, message].filter(Boolean).join(': ') || text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

/** The signer's hash: SHA-256, or HMAC-SHA-256 when given a key (node:crypto, no @aws-crypto). */
class NodeSha256 {
  readonly #secret: SourceData | undefined;
  #hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.#secret = secret;
    this.#hash = NodeSha256.#create(secret);
  }

  update(data: Uint8Array): void {
    this.#hash.update(data);
  }

  async digest(): Promise<Uint8Array> {
    const buffer = this.#hash.digest();
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  reset(): void {
    this.#hash = NodeSha256.#create(this.#secret);
  }

  static #create(secret: SourceData | undefined): Hash | Hmac {
    if (secret === undefined) return createHash('sha256');
    return createHmac('sha256', typeof secret === 'string' ? secret : ArrayBuffer.isView(secret) ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength) : new Uint8Array(secret));
  }
}
