import nock from 'nock';
import { expect } from 'vitest';
import { createGitHubMock, type GitHubMock } from '../helpers/github-mock.ts';

/**
 * The GitHub mock for handler tests whose DynamoDB (dynalite) and SSM run on loopback: loopback
 * requests pass through nock on purpose, so only requests to anywhere else count as unmatched.
 */
export interface GitHubBesideLoopback {
  github: GitHubMock;
  /** Requests to GitHub no mock matched. */
  unmatched: string[];
  /** Like GitHubMock.assertDone (GitHub's REST description included), for GitHub only. */
  assertDone(): void;
  restore(): void;
}

export function mockGitHubBesideLoopback(): GitHubBesideLoopback {
  const github = createGitHubMock();
  nock.enableNetConnect(/^127\.0\.0\.1/);
  const unmatched: string[] = [];
  const onNoMatch = (request: { method?: string; href?: string; options?: { method?: string; href?: string; host?: string; hostname?: string } }): void => {
    const href = request.href ?? request.options?.href ?? `${request.options?.hostname ?? request.options?.host ?? '?'}`;
    if (!href.includes('127.0.0.1')) unmatched.push(`${request.method ?? request.options?.method ?? '?'} ${href}`);
  };
  nock.emitter.on('no match', onNoMatch);
  return {
    github,
    unmatched,
    assertDone() {
      expect(unmatched).toEqual([]);
      expect(nock.pendingMocks()).toEqual([]);
      github.assertDescribed();
    },
    restore() {
      nock.emitter.removeListener('no match', onNoMatch);
      github.restore();
    },
  };
}
