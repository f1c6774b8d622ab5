import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, hasNoCredentials, readLambdaConfig, readLocalConfig, readSetupConfig } from '../../src/env.ts';

const REQUIRED = { APP_ID: '12', PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\\nabc\\n-----END RSA PRIVATE KEY-----', WEBHOOK_SECRET: 's' };
const LAMBDA = { TABLE_NAME: 't', APP_ID_PARAMETER: '/a', PRIVATE_KEY_PARAMETER: '/k', WEBHOOK_SECRET_PARAMETER: '/w' };

function problemsOf(read: () => unknown): readonly string[] {
  try {
    read();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

// Lives under test/local/ because npm start is its main reader (this suite owns test/local).
describe('src/env.ts', () => {
  it('fills in every default for npm start', () => {
    const config = readLocalConfig(REQUIRED);

    expect(config).toEqual({
      appId: '12',
      privateKey: '-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----',
      webhookSecret: 's',
      port: DEFAULTS.port,
      host: '127.0.0.1',
      webUrl: 'https://github.com',
      dataDir: DEFAULTS.dataDir,
      tableName: DEFAULTS.tableName,
      region: DEFAULTS.region,
      logLevel: 'info',
    });
  });

  it.each([
    { name: 'GitHub Enterprise Server', env: { GHE_HOST: 'ghe.acme.com' }, baseUrl: 'https://ghe.acme.com/api/v3' },
    { name: 'a test server over http', env: { GHE_HOST: '127.0.0.1:9000', GHE_PROTOCOL: 'http' }, baseUrl: 'http://127.0.0.1:9000/api/v3' },
    { name: 'github.com', env: {}, baseUrl: undefined },
  ])('builds the API URL for $name', ({ env, baseUrl }) => {
    expect(readLocalConfig({ ...REQUIRED, ...env }).baseUrl).toBe(baseUrl);
  });

  it('reads HOST, WEBHOOK_PROXY_URL and GH_ORG, and the web host of GitHub Enterprise Server', () => {
    const config = readLocalConfig({ ...REQUIRED, HOST: '0.0.0.0', WEBHOOK_PROXY_URL: 'https://smee.io/abc', GH_ORG: 'acme', GHE_HOST: 'ghe.acme.com' });

    expect(config).toMatchObject({ host: '0.0.0.0', webhookProxyUrl: 'https://smee.io/abc', organization: 'acme', webUrl: 'https://ghe.acme.com', baseUrl: 'https://ghe.acme.com/api/v3' });
  });

  it.each([
    { name: 'nothing', env: {}, isSetup: true },
    { name: 'blank credentials and other settings', env: { APP_ID: ' ', PORT: '0' }, isSetup: true },
    { name: 'only a key file', env: { PRIVATE_KEY_PATH: 'key.pem' }, isSetup: false },
    { name: 'only the secret', env: { WEBHOOK_SECRET: 's' }, isSetup: false },
  ])('serves the set-up page only when no credential is set: $name', ({ env, isSetup }) => {
    expect(hasNoCredentials(env)).toBe(isSetup);
  });

  it('reads the set-up page settings and names a bad proxy URL', () => {
    expect(readSetupConfig({ PORT: '0', GH_ORG: 'acme' })).toMatchObject({ port: 0, host: '127.0.0.1', organization: 'acme', webUrl: 'https://github.com' });
    expect(problemsOf(() => readSetupConfig({ WEBHOOK_PROXY_URL: 'smee.io/abc' }))).toEqual(['WEBHOOK_PROXY_URL: an http(s) URL such as https://smee.io/abc123, not "smee.io/abc"']);
  });

  it('reads the key from PRIVATE_KEY_PATH', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ia-env-')), 'key.pem');
    writeFileSync(path, 'PEM');

    const config = readLocalConfig({ APP_ID: '1', WEBHOOK_SECRET: 's', PRIVATE_KEY_PATH: path });

    expect(config.privateKey).toBe('PEM');
  });

  it.each([
    { name: 'nothing set', env: {}, problems: ['APP_ID:', 'PRIVATE_KEY or PRIVATE_KEY_PATH:', 'WEBHOOK_SECRET:'] },
    { name: 'blank values', env: { APP_ID: ' ', PRIVATE_KEY: '', WEBHOOK_SECRET: 's' }, problems: ['APP_ID:', 'PRIVATE_KEY or PRIVATE_KEY_PATH:'] },
    { name: 'a key file that does not exist', env: { ...REQUIRED, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: '/nope/key.pem' }, problems: ['PRIVATE_KEY_PATH: cannot read /nope/key.pem (ENOENT)'] },
    { name: 'a bad port, protocol and log level', env: { ...REQUIRED, PORT: '99999', GHE_PROTOCOL: 'ftp', LOG_LEVEL: 'loud' }, problems: ['PORT:', 'GHE_PROTOCOL:', 'LOG_LEVEL:'] },
  ])('lists every problem at once: $name', ({ env, problems }) => {
    const found = problemsOf(() => readLocalConfig(env));

    expect(found).toHaveLength(problems.length);
    problems.forEach((problem, index) => expect(found[index]).toContain(problem));
  });

  it('gives the Lambda functions parameter names and the signing credentials, never secret values', () => {
    const config = readLambdaConfig({ ...LAMBDA, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 'key', AWS_SESSION_TOKEN: 'token', APP_ID: 'ignored' });

    expect(config).toEqual({
      tableName: 't',
      region: 'eu-west-1',
      logLevel: 'info',
      parameters: { appId: '/a', privateKey: '/k', webhookSecret: '/w' },
      ssm: { region: 'eu-west-1', credentials: { accessKeyId: 'id', secretAccessKey: 'key', sessionToken: 'token' } },
    });
  });

  it.each([
    { name: 'FACTS_BUCKET: large facts go to that bucket', env: { FACTS_BUCKET: 'facts-xyz' }, facts: { bucket: 'facts-xyz' } },
    { name: 'S3_ENDPOINT: a test S3', env: { FACTS_BUCKET: 'b', S3_ENDPOINT: 'http://127.0.0.1:9' }, facts: { bucket: 'b', endpoint: 'http://127.0.0.1:9' } },
    { name: 'no FACTS_BUCKET: large facts are not kept', env: {}, facts: undefined },
  ])('reads $name', ({ env, facts }) => {
    expect(readLambdaConfig({ ...LAMBDA, ...env }).facts).toEqual(facts);
  });

  it('names what the Lambda environment lacks', () => {
    expect(problemsOf(() => readLambdaConfig({}))).toEqual([
      'APP_ID_PARAMETER: the SSM parameter name (set by serverless.yml)',
      'PRIVATE_KEY_PARAMETER: the SSM parameter name (set by serverless.yml)',
      'WEBHOOK_SECRET_PARAMETER: the SSM parameter name (set by serverless.yml)',
      'TABLE_NAME: the DynamoDB table (set by serverless.yml)',
    ]);
  });
});
