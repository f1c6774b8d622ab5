import nock from 'nock';
import { checkRequest } from './github-description.ts';

/**
 * GitHub faked with nock only: the network is blocked, a request no mock matches is recorded and
 * fails `assertDone`, so does a mock nobody used, and every request is logged with its parsed
 * body for assertions on what GitHub received. Every request to api.github.com is also checked
 * against GitHub's REST description (./github-description.ts): an operation GitHub does not have,
 * an undeclared query parameter, a body its schema rejects or an undocumented success status the
 * mock answered fails `assertDone` too (or `restore`, when a test never called `assertDone`).
 */

export const GITHUB_API = 'https://api.github.com';
const GITHUB_HOST = new URL(GITHUB_API).host;

export interface LoggedRequest {
  method: string;
  host: string;
  /** Path with the query string. */
  path: string;
  body: unknown;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  /** The status the mock answered (once it did; none for a reply with an error). */
  status?: number;
}

export interface GitHubMock {
  /** The api.github.com scope; chain `.get(...)`, `.post(...)` as with nock. */
  api: nock.Scope;
  /** Another host, e.g. the blob storage an artifact download redirects to. */
  host(origin: string): nock.Scope;
  log: LoggedRequest[];
  /** Requests with this method whose path starts with `prefix` (query ignored when `prefix` has none). */
  requests(method: string, prefix: string): LoggedRequest[];
  /** Throws when a request went unmatched, a mock was not used or a request breaks GitHub's REST description. */
  assertDone(): void;
  /** Throws when a request to api.github.com breaks GitHub's REST description (part of assertDone). */
  assertDescribed(): void;
  /** Removes every mock and listener; call in afterEach. */
  restore(): void;
}

/**
 * `allowLoopback`: real servers on 127.0.0.1 (dynalite, the app under test) are reached for real
 * and are not unmatched GitHub requests.
 */
export function createGitHubMock(options: { allowLoopback?: boolean } = {}): GitHubMock {
  nock.disableNetConnect();
  if (options.allowLoopback) nock.enableNetConnect('127.0.0.1');
  const log: LoggedRequest[] = [];
  const unmatched: string[] = [];
  const scopes: nock.Scope[] = [];

  function track(origin: string): nock.Scope {
    const scope = nock(origin);
    scope.on('request', (request: { method: string; path: string; headers?: Record<string, unknown>; once(event: 'response', listener: (response: { statusCode?: number }) => void): unknown }, _interceptor: unknown, body: string) => {
      const headers = Object.fromEntries(Object.entries(request.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value === undefined ? undefined : String(value)]));
      const entry: LoggedRequest = { method: request.method, host: new URL(origin).host, path: request.path, body: parseBody(body), headers };
      request.once('response', (response) => {
        if (response.statusCode !== undefined) entry.status = response.statusCode;
      });
      log.push(entry);
    });
    scopes.push(scope);
    return scope;
  }

  const onNoMatch = (request: { method?: string; path?: string; href?: string; options?: { method?: string; path?: string } }): void => {
    if (options.allowLoopback && (request.href ?? '').startsWith('http://127.0.0.1:')) return;
    unmatched.push(`${request.method ?? request.options?.method ?? '?'} ${request.href ?? request.path ?? request.options?.path ?? '?'}`);
  };
  nock.emitter.on('no match', onNoMatch);

  let checked = 0;
  function assertDescribed(): void {
    const problems = log.slice(checked).flatMap((entry) => (entry.host === GITHUB_HOST ? checkRequest(entry) : []));
    checked = log.length;
    if (problems.length > 0) throw new Error(`GitHub mock: requests GitHub's REST description (@octokit/openapi) does not allow:\n${problems.join('\n')}`);
  }

  return {
    api: track(GITHUB_API),
    host: track,
    log,
    requests(method, prefix) {
      return log.filter((entry) => entry.method === method && (prefix.includes('?') ? entry.path : entry.path.split('?')[0]!).startsWith(prefix));
    },
    assertDone() {
      if (unmatched.length > 0) throw new Error(`GitHub mock: unmatched requests:\n${unmatched.join('\n')}`);
      const pending = scopes.flatMap((scope) => scope.pendingMocks());
      if (pending.length > 0) throw new Error(`GitHub mock: mocks not used:\n${pending.join('\n')}`);
      assertDescribed();
    },
    assertDescribed,
    restore() {
      nock.emitter.removeListener('no match', onNoMatch);
      nock.cleanAll();
      nock.enableNetConnect();
      assertDescribed();
    },
  };
}

function parseBody(body: string | undefined): unknown {
  if (!body) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError) return body;
    throw error;
  }
}
