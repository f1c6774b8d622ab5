import { afterEach, describe, expect, it } from 'vitest';
import type { AppUnderTest } from './app-harness.ts';
import { ALPINE_311, arrangeRun, finalCheckRun, imageScan, JUICE_SHOP, startApp, workflowRunPayload } from './app-harness.ts';

/** Shadow policies and enforcement dates, end to end: signed webhook → real app → nock. */

const SHADOW_POLICY = `version: 1
policies:
  - name: next-quarter
    enforcement: shadow
    rules:
      severity: critical
`;

const DATED_POLICY = `version: 1
policies:
  - name: strict
    enforce_from: 2026-11-27
    rules:
      severity: critical
`;

let app: AppUnderTest | undefined;

afterEach(() => {
  app?.github.restore();
  app = undefined;
});

describe('shadow policies in the app', () => {
  it('leaves the check of a blocked image green and says the shadow policy would block it', async () => {
    app = await startApp();
    arrangeRun(app.github, { ref: 'master', repo: SHADOW_POLICY, artifacts: imageScan(JUICE_SHOP) });

    await app.deliver('workflow_run', workflowRunPayload());

    app.github.assertDone();
    const check = finalCheckRun(app.github);
    expect(check.conclusion).toBe('success');
    expect(check.output.title).toBe('1 image allowed');
    expect(check.output.summary).toMatch(/<details><summary>🕶️ next-quarter would block: \d+ violations \(shadow policy, never blocks\)<\/summary>/);
    expect(check.output.summary).toContain('Would have blocked 1 of the last 1 commit judged here (30 days).');
  });

  it('counts the commits judged here that the shadow policy would have blocked', async () => {
    app = await startApp();
    arrangeRun(app.github, { ref: 'master', repo: SHADOW_POLICY, artifacts: imageScan(JUICE_SHOP), headSha: '1'.repeat(40) });
    await app.deliver('workflow_run', workflowRunPayload({ headSha: '1'.repeat(40) }));
    arrangeRun(app.github, { ref: 'master', repo: SHADOW_POLICY, artifacts: imageScan(ALPINE_311), headSha: '2'.repeat(40) });
    await app.deliver('workflow_run', workflowRunPayload({ headSha: '2'.repeat(40) }));
    arrangeRun(app.github, { ref: 'master', repo: SHADOW_POLICY, artifacts: imageScan(JUICE_SHOP), headSha: '3'.repeat(40) });
    await app.deliver('workflow_run', workflowRunPayload({ headSha: '3'.repeat(40) }));

    const summaries = app.github.log.filter((entry) => entry.method === 'POST' && entry.path.endsWith('/check-runs')).map((entry) => (entry.body as { output: { summary: string } }).output.summary);
    expect(summaries.at(-1)).toContain('Would have blocked 2 of the last 3 commits judged here (30 days).');
  });

  it.each([
    ['the day before enforce_from: green, says when it blocks', new Date('2026-11-26T23:59:59Z'), 'success'],
    ['from midnight UTC of enforce_from: blocked', new Date('2026-11-27T00:00:00Z'), 'failure'],
  ] as const)('%s', async (_name, now, conclusion) => {
    app = await startApp({ now });
    arrangeRun(app.github, { ref: 'master', repo: DATED_POLICY, artifacts: imageScan(JUICE_SHOP) });

    await app.deliver('workflow_run', workflowRunPayload());

    const check = finalCheckRun(app.github);
    expect(check.conclusion).toBe(conclusion);
    if (conclusion === 'success') expect(check.output.summary).toContain('(blocks from 2026-11-27)');
    else expect(check.output.title).toBe('1 image blocked by strict');
  });
});
