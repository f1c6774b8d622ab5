import { ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyState, publishCheckState } from '../../src/job/update-check.ts';
import { createMemoryStore } from '../../src/store/memory.ts';
import { createGitHubMock, type GitHubMock } from '../helpers/github-mock.ts';
import type { ImageVerdict } from '../../src/model/verdict.ts';
import { defaultSettings } from '../../src/policy/schema.ts';
import type { ResolvedSettings } from '../../src/policy/schema.ts';
import type { CheckState, RunContribution } from '../../src/store/store.ts';

const NOW = new Date('2026-11-26T12:00:00Z');

function image(name: string, allowed: boolean): ImageVerdict {
  return { image: name, allowed, status: allowed ? 'allowed' : 'blocked', unscoped: false, policies: [], reports: [] };
}

function run(id: number, images: Record<string, ImageVerdict>, problems: RunContribution['problems'] = [], evaluatedAt = '2026-11-26T10:00:00Z'): RunContribution {
  return { run: { id, name: `run-${id}`, url: `https://github.test/runs/${id}` }, images, problems, evaluatedAt };
}

function state(...runs: RunContribution[]): CheckState {
  return { ...emptyState('acme/api', 'abc', 1), runs: Object.fromEntries(runs.map((r) => [String(r.run.id), r])), sources: ['preset:baseline'] };
}

function settings(overrides: Partial<ResolvedSettings> = {}): ResolvedSettings {
  return { ...defaultSettings(), ...overrides };
}

describe('src/job/update-check publishCheckState', () => {
  const violation = {
    rule: 'root_user' as const,
    id: 'user',
    message: 'the image runs as root',
    location: { path: 'Dockerfile', line: 3 },
  };
  const blocked: ImageVerdict = {
    ...image('ghcr.io/acme/api:1', false),
    policies: [{ name: 'p', enforcement: 'block', source: '.github/image-assurance.yml', passed: false, violations: [violation], suppressed: [], exceptions: [] }],
  };

  let github: GitHubMock;
  beforeEach(() => {
    github = createGitHubMock();
  });
  afterEach(() => {
    github.restore();
  });

  it('sends each annotation once per check run (GitHub appends them on every update) and says when a PR turns green', async () => {
    const store = createMemoryStore();
    const octokit = new ProbotOctokit({ auth: { token: 'test' }, retry: { enabled: false }, throttle: { enabled: false } });
    github.api.post('/repos/acme/api/check-runs').reply(201, { id: 7, html_url: 'https://github.test/checks/7' });
    github.api.patch('/repos/acme/api/check-runs/7').times(2).reply(200, { id: 7, html_url: 'https://github.test/checks/7' });
    let comment: { id: number; body: string; user: { type: string }; performed_via_github_app: { id: number } } | undefined;
    github.api.get('/repos/acme/api/issues/5/comments').query(true).times(4).reply(200, () => (comment ? [comment] : []));
    github.api.post('/repos/acme/api/issues/5/comments').reply(201, (_uri, body) => {
      comment = { id: 99, body: (body as { body: string }).body, user: { type: 'Bot' }, performed_via_github_app: { id: 1 } };
      return comment;
    });
    github.api.patch('/repos/acme/api/issues/comments/99').reply(200, (_uri, body) => ({ ...comment, body: (body as { body: string }).body }));
    const publish = async (contribution: RunContribution) => {
      const current = await store.getCheckState('acme/api', 'abc');
      const next: CheckState = { ...(current?.value ?? state()), runs: { [String(contribution.run.id)]: contribution }, pullRequests: [5] };
      await store.putCheckState(next, current?.version);
      return publishCheckState({ octokit, store, owner: 'acme', repo: 'api', state: next, settings: settings({ comment: 'always' }), now: NOW, appId: 1 });
    };

    await publish(run(1, { a: blocked }));
    await publish(run(1, { a: blocked }));
    const green = await publish(run(1, { a: image('ghcr.io/acme/api:1', true) }));

    const writes = github.log.filter((entry) => entry.path.startsWith('/repos/acme/api/check-runs'));
    const annotationCounts = writes.map((entry) => ((entry.body as { output: { annotations?: unknown[] } }).output.annotations ?? []).length);
    expect(annotationCounts).toEqual([1, 0, 0]);
    expect(green.conclusion).toBe('success');
    const edits = github.requests('PATCH', '/repos/acme/api/issues/comments/99').map((entry) => (entry.body as { body: string }).body);
    expect(edits).toHaveLength(1);
    expect(edits[0]).toMatch(/previously blocked/i);
    github.assertDone();
  });
});
