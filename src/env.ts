import { readFileSync } from 'node:fs';

/**
 * Every environment variable the app reads, with its default, parsed in one place. Nothing else
 * reads `process.env`: the Lambda handlers and `npm start` call one of the readers below and pass
 * plain values down.
 *
 * | variable                   | default            | used by        | meaning                                              |
 * |----------------------------|--------------------|----------------|------------------------------------------------------|
 * | APP_ID                     | (required; none of the three: the set-up page) | npm start | the GitHub App's ID             |
 * | PRIVATE_KEY                | (one of the two)   | npm start      | the App's PEM key (`\n` escapes allowed)             |
 * | PRIVATE_KEY_PATH           | (one of the two)   | npm start      | a file holding the PEM key                           |
 * | WEBHOOK_SECRET             | (required)         | npm start      | the webhook secret                                   |
 * | GHE_HOST                   | unset: github.com  | both           | GitHub Enterprise Server (or a test server) host     |
 * | GHE_PROTOCOL               | https              | both           | its protocol; the API is `${protocol}://${host}/api/v3` |
 * | LOG_LEVEL                  | info               | both           | trace, debug, info, warn, error, fatal               |
 * | PORT                       | 3000               | npm start      | the HTTP port (0: any free port)                     |
 * | HOST                       | 127.0.0.1          | npm start      | the address to bind (0.0.0.0: every interface)       |
 * | WEBHOOK_PROXY_URL          | unset              | npm start      | a smee.io channel whose deliveries are forwarded to POST /webhooks |
 * | GH_ORG                     | unset              | npm start      | the set-up page registers the app under this organization |
 * | DATA_DIR                   | .data/dynalite     | npm start      | dynalite's data folder (created)                     |
 * | DYNAMODB_ENDPOINT          | unset              | both           | use this DynamoDB instead of starting dynalite        |
 * | TABLE_NAME                 | image-assurance    | both           | the table (Lambda: set by serverless.yml)            |
 * | AWS_REGION                 | us-east-1          | both           | the region (Lambda sets it)                          |
 * | APP_ID_PARAMETER           | (required, Lambda) | worker         | SSM SecureString name of the App ID                  |
 * | PRIVATE_KEY_PARAMETER      | (required, Lambda) | worker         | SSM SecureString name of the private key             |
 * | WEBHOOK_SECRET_PARAMETER   | (required, Lambda) | webhooks       | SSM SecureString name of the webhook secret          |
 * | WEBHOOK_SECRET_PREVIOUS_PARAMETER | unset       | webhooks       | SSM name of the previous secret, also accepted while a rotation overlaps (the parameter may be absent) |
 * | SSM_ENDPOINT               | unset              | both functions | SSM endpoint override (tests)                        |
 * | FACTS_BUCKET               | unset: not kept    | worker         | S3 bucket for facts over 350 KB gzipped (serverless.yml) |
 * | S3_ENDPOINT                | unset              | worker         | S3 endpoint override (tests, path-style)             |
 * | AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN | Lambda sets them | both functions | signing SSM requests |
 *
 * `npm start` also reads `.env` in the working directory (the set-up page writes it); a variable
 * set in the environment wins over the file.
 */

export type Env = Record<string, string | undefined>;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULTS = {
  port: 3000,
  host: '127.0.0.1',
  dataDir: '.data/dynalite',
  tableName: 'image-assurance',
  region: 'us-east-1',
  logLevel: 'info' as LogLevel,
  gheProtocol: 'https',
} as const;

/** Configuration that cannot work: every problem at once, each naming the variable to set. */
export class ConfigError extends Error {
  readonly kind = 'config' as const;
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Configuration is incomplete:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface GitHubConfig {
  /** `${GHE_PROTOCOL}://${GHE_HOST}/api/v3`, undefined for github.com. */
  baseUrl?: string;
  logLevel: LogLevel;
}

/** The GitHub App's three secrets. */
export interface AppCredentials {
  appId: string;
  privateKey: string;
  webhookSecret: string;
}

/** `npm start` before the app exists: enough to serve the set-up page. */
export interface SetupConfig extends GitHubConfig {
  /** `${GHE_PROTOCOL}://${GHE_HOST}` or https://github.com: where apps are registered. */
  webUrl: string;
  /** GH_ORG: register the app under this organization instead of the signed-in user. */
  organization?: string;
  port: number;
  host: string;
  webhookProxyUrl?: string;
  dataDir: string;
  dynamodbEndpoint?: string;
  tableName: string;
  region: string;
}

export interface LocalConfig extends SetupConfig, AppCredentials {}

export interface LambdaConfig extends GitHubConfig {
  tableName: string;
  region: string;
  dynamodbEndpoint?: string;
  parameters: { appId: string; privateKey: string; webhookSecret: string; webhookSecretPrevious?: string };
  ssm: { region: string; endpoint?: string; credentials?: AwsCredentials };
  /** FACTS_BUCKET: the S3 bucket for facts too large for an item (set by serverless.yml); S3_ENDPOINT for tests. */
  facts?: { bucket: string; endpoint?: string };
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** None of APP_ID, PRIVATE_KEY, PRIVATE_KEY_PATH, WEBHOOK_SECRET is set: `npm start` serves the set-up page. */
export function hasNoCredentials(env: Env): boolean {
  return ['APP_ID', 'PRIVATE_KEY', 'PRIVATE_KEY_PATH', 'WEBHOOK_SECRET'].every((name) => nonEmpty(env[name]) === undefined);
}

/** `npm start` with no credentials: the set-up page and the local store. Throws one ConfigError listing every problem. */
export function readSetupConfig(env: Env): SetupConfig {
  const problems: string[] = [];
  const config = readServerConfig(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** `npm start`: the usual Probot variables plus the local store. Throws one ConfigError listing all that is missing. */
export function readLocalConfig(env: Env): LocalConfig {
  const problems: string[] = [];
  const appId = nonEmpty(env['APP_ID']);
  if (appId === undefined) problems.push('APP_ID: the GitHub App ID (the number on the App settings page)');
  const privateKey = readPrivateKey(env, problems);
  const webhookSecret = nonEmpty(env['WEBHOOK_SECRET']);
  if (webhookSecret === undefined) problems.push('WEBHOOK_SECRET: the webhook secret set on the GitHub App');
  const server = readServerConfig(env, problems);
  if (problems.length > 0 || appId === undefined || privateKey === undefined || webhookSecret === undefined) {
    throw new ConfigError(problems);
  }
  return { ...server, appId, privateKey, webhookSecret };
}

function readServerConfig(env: Env, problems: string[]): SetupConfig {
  const port = readPort(env['PORT'], problems);
  const github = readGitHubConfig(env, problems);
  const host = nonEmpty(env['HOST']) ?? DEFAULTS.host;
  const webhookProxyUrl = readHttpUrl(env, 'WEBHOOK_PROXY_URL', problems);
  const gheHost = nonEmpty(env['GHE_HOST']);
  const organization = nonEmpty(env['GH_ORG']);
  const dynamodbEndpoint = nonEmpty(env['DYNAMODB_ENDPOINT']);
  return {
    ...github,
    webUrl: gheHost === undefined ? 'https://github.com' : `${nonEmpty(env['GHE_PROTOCOL']) ?? DEFAULTS.gheProtocol}://${gheHost}`,
    ...(organization === undefined ? {} : { organization }),
    port,
    host,
    ...(webhookProxyUrl === undefined ? {} : { webhookProxyUrl }),
    dataDir: nonEmpty(env['DATA_DIR']) ?? DEFAULTS.dataDir,
    ...(dynamodbEndpoint === undefined ? {} : { dynamodbEndpoint }),
    tableName: nonEmpty(env['TABLE_NAME']) ?? DEFAULTS.tableName,
    region: nonEmpty(env['AWS_REGION']) ?? DEFAULTS.region,
  };
}

function readHttpUrl(env: Env, name: string, problems: string[]): string | undefined {
  const text = nonEmpty(env[name]);
  if (text === undefined) return undefined;
  const protocol = URL.canParse(text) ? new URL(text).protocol : undefined;
  if (protocol === 'https:' || protocol === 'http:') return text;
  problems.push(`${name}: an http(s) URL such as https://smee.io/abc123, not "${text}"`);
  return undefined;
}

/** The Lambda functions: the table, and where the secrets are (never the secrets themselves). */
export function readLambdaConfig(env: Env): LambdaConfig {
  const problems: string[] = [];
  const parameter = (name: string): string => {
    const value = nonEmpty(env[name]);
    if (value === undefined) problems.push(`${name}: the SSM parameter name (set by serverless.yml)`);
    return value ?? '';
  };
  const parameters = {
    appId: parameter('APP_ID_PARAMETER'),
    privateKey: parameter('PRIVATE_KEY_PARAMETER'),
    webhookSecret: parameter('WEBHOOK_SECRET_PARAMETER'),
  };
  const webhookSecretPrevious = nonEmpty(env['WEBHOOK_SECRET_PREVIOUS_PARAMETER']);
  const tableName = nonEmpty(env['TABLE_NAME']);
  if (tableName === undefined) problems.push('TABLE_NAME: the DynamoDB table (set by serverless.yml)');
  const github = readGitHubConfig(env, problems);
  if (problems.length > 0 || tableName === undefined) throw new ConfigError(problems);
  const region = nonEmpty(env['AWS_REGION']) ?? DEFAULTS.region;
  const ssmEndpoint = nonEmpty(env['SSM_ENDPOINT']);
  const dynamodbEndpoint = nonEmpty(env['DYNAMODB_ENDPOINT']);
  const accessKeyId = nonEmpty(env['AWS_ACCESS_KEY_ID']);
  const secretAccessKey = nonEmpty(env['AWS_SECRET_ACCESS_KEY']);
  const sessionToken = nonEmpty(env['AWS_SESSION_TOKEN']);
  const factsBucket = nonEmpty(env['FACTS_BUCKET']);
  const s3Endpoint = nonEmpty(env['S3_ENDPOINT']);
  return {
    ...github,
    tableName,
    region,
    ...(factsBucket === undefined ? {} : { facts: { bucket: factsBucket, ...(s3Endpoint === undefined ? {} : { endpoint: s3Endpoint }) } }),
    ...(dynamodbEndpoint === undefined ? {} : { dynamodbEndpoint }),
    parameters: { ...parameters, ...(webhookSecretPrevious === undefined ? {} : { webhookSecretPrevious }) },
    ssm: {
      region,
      ...(ssmEndpoint === undefined ? {} : { endpoint: ssmEndpoint }),
      ...(accessKeyId === undefined || secretAccessKey === undefined
        ? {}
        : { credentials: { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) } }),
    },
  };
}

function readGitHubConfig(env: Env, problems: string[]): GitHubConfig {
  const host = nonEmpty(env['GHE_HOST']);
  const protocol = nonEmpty(env['GHE_PROTOCOL']) ?? DEFAULTS.gheProtocol;
  if (protocol !== 'https' && protocol !== 'http') problems.push(`GHE_PROTOCOL: https or http, not "${protocol}"`);
  const level = nonEmpty(env['LOG_LEVEL'])?.toLowerCase() ?? DEFAULTS.logLevel;
  const isLevel = (LOG_LEVELS as readonly string[]).includes(level);
  if (!isLevel) problems.push(`LOG_LEVEL: one of ${LOG_LEVELS.join(', ')}, not "${level}"`);
  return {
    ...(host === undefined ? {} : { baseUrl: `${protocol}://${host}/api/v3` }),
    logLevel: isLevel ? (level as LogLevel) : DEFAULTS.logLevel,
  };
}

function readPrivateKey(env: Env, problems: string[]): string | undefined {
  const inline = nonEmpty(env['PRIVATE_KEY']);
  if (inline !== undefined) return inline.replace(/\\n/g, '\n');
  const path = nonEmpty(env['PRIVATE_KEY_PATH']);
  if (path === undefined) {
    problems.push('PRIVATE_KEY or PRIVATE_KEY_PATH: the GitHub App private key (PEM), or the path of its file');
    return undefined;
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push(`PRIVATE_KEY_PATH: cannot read ${path} (${code})`);
    return undefined;
  }
}

function readPort(value: string | undefined, problems: string[]): number {
  const text = nonEmpty(value);
  if (text === undefined) return DEFAULTS.port;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    problems.push(`PORT: a port number from 0 to 65535, not "${text}"`);
    return DEFAULTS.port;
  }
  return port;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
