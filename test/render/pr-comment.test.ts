import { describe, expect, it } from 'vitest';

import { COMMENT_MARKER, COMMENT_MAX_CHARS, renderPrComment } from '../../src/render/pr-comment.ts';
import {
  allowedVerdict,
  blockedVerdict,
  CHECK_RUN_URL,
  emptyVerdict,
  FORK_PROBLEM,
  hostileVerdict,
  hugeVerdict,
  image,
  log4jViolation,
  NOW,
  OPENSSL,
  outcome,
  policy,
  ROOT_USER,
  verdict,
  warnedVerdict,
  DIGEST,
  itKeepsReportTextInert,
} from './helpers.ts';


describe('src/render/pr-comment', () => {
  itKeepsReportTextInert((input) => renderPrComment(input, { now: NOW }));

  it.each([
    ['blocked', outcome(blockedVerdict())],
    ['green', outcome(allowedVerdict())],
    ['empty', outcome(emptyVerdict())],
    ['a problem', outcome(emptyVerdict(), { problems: [FORK_PROBLEM] })],
  ])('starts with the hidden marker when %s', (_name, input) => {
    const body = renderPrComment(input, { now: NOW });

    expect(body.startsWith(`${COMMENT_MARKER}\n`)).toBe(true);
    expect(body.split(COMMENT_MARKER)).toHaveLength(2);
  });

  it('says what is blocked, why and the fix at the top, and folds the details', () => {
    const body = renderPrComment(outcome(blockedVerdict()), { now: NOW, checkRunUrl: CHECK_RUN_URL });

    const top = body.slice(0, body.indexOf('<details>'));
    expect(top).toContain('### 🚫 1 image blocked: `ghcr.io/acme/api:1.2.3`');
    expect(top).toContain('→ upgrade log4j-core to 2.17.1');
    expect(top).toContain('→ run as a non-root USER');
    expect(body).toContain(`[View the check run](${CHECK_RUN_URL})`);
  });

  it('shows the worst violation of each rule before a second one of the same rule', () => {
    const violations = [log4jViolation(), log4jViolation({ id: 'CVE-2021-45046' }), log4jViolation({ id: 'CVE-2021-45105' }), OPENSSL, ROOT_USER];
    const input = verdict([image({ image: 'x', policies: [policy({ name: 'p', violations })] })]);

    const body = renderPrComment(outcome(input), { now: NOW });

    const top = body.slice(0, body.indexOf('<details>'));
    expect(top).toContain('CVE-2021-44228');
    expect(top).toContain('CVE-2023-0286');
    expect(top).toContain('run as a non-root USER');
    expect(top).not.toContain('CVE-2021-45046');
    expect(top).toContain('…and 2 more findings');
  });

  it('shows a finding that breaks several rules in several policies once, with every rule, and one exception for all', () => {
    const critical = log4jViolation({ rule: 'severity' });
    const fixable = log4jViolation({ rule: 'fixable_severity' });
    const input = verdict([
      image({
        image: 'ghcr.io/acme/api:1.2.3',
        policies: [policy({ name: 'baseline', violations: [fixable] }), policy({ name: 'production-readiness', violations: [critical, fixable, ROOT_USER] })],
      }),
    ]);

    const body = renderPrComment(outcome(input), { now: NOW });

    const top = body.slice(0, body.indexOf('<details>'));
    expect(top.match(/CVE-2021-44228/g)).toHaveLength(1);
    expect(top).toContain('(`severity`, `fixable_severity`; critical; CVSS 10.0) → upgrade log4j-core to 2.17.1');
    expect(top).toContain('run as a non-root USER');
    expect(top).not.toContain('more finding');
    expect(body).toContain('    policies: ["baseline", "production-readiness"]');
  });

  it('offers a ready-to-paste exception for the top violation, expiring in 30 days', () => {
    const body = renderPrComment(outcome(blockedVerdict()), { now: NOW });

    expect(body).toContain(
      [
        '```yaml',
        'exceptions:',
        '  - id: "CVE-2021-44228"',
        '    policies: ["production-readiness"]',
        '    images: ["ghcr.io/acme/api"]',
        '    package: "log4j-core"',
        '    reason: "<why this is acceptable>"',
        '    expires: 2026-12-26',
        '```',
      ].join('\n'),
    );
    expect(body).toContain('on the base branch');
    expect(body).not.toContain('TODO');
  });

  it('offers no exception when only rules an exception cannot waive fail', () => {
    const input = verdict([image({ image: 'x', policies: [policy({ name: 'p', violations: [ROOT_USER] })] })]);

    const body = renderPrComment(outcome(input), { now: NOW });

    expect(body).not.toContain('```yaml');
  });

  it('sends an organization policy exception to the organization', () => {
    const input = verdict([image({ image: 'x', policies: [policy({ name: 'org-baseline', source: 'org:.github/image-assurance.yml', violations: [log4jViolation()] })] })]);

    const body = renderPrComment(outcome(input), { now: NOW });

    expect(body).toContain('a repository cannot loosen it');
  });

  it('keeps a hostile package name out of the YAML fence and the HTML', () => {
    const body = renderPrComment(outcome(hostileVerdict()), { now: NOW });

    const fence = body.slice(body.indexOf('```yaml'), body.lastIndexOf('```') + 3);
    expect(body.replace(fence, '')).not.toContain('<script');
    expect(fence.split('\n').filter((line) => line.includes('```'))).toHaveLength(2);
    expect(fence).toContain('\\u0060rm -rf\\u0060');
  });

  it.each([
    ['was failing', true, '### ✅ The image passes the image assurance policies (previously blocked)'],
    ['first run', false, '### ✅ The image passes the image assurance policies\n'],
  ])('says a green run out loud (%s)', (_name, wasFailing, headline) => {
    const body = renderPrComment(outcome(allowedVerdict()), { now: NOW, wasFailing });

    expect(body).toContain(headline);
  });

  it('lists warnings without calling the image blocked', () => {
    const body = renderPrComment(outcome(warnedVerdict()), { now: NOW });

    expect(body).toContain('with warnings');
    expect(body).toContain('**`ghcr.io/acme/worker:2.0.0`** is allowed with 1 warning from `license-review`');
    expect(body).not.toContain('blocked:');
  });

  it('says the problems at the top', () => {
    const body = renderPrComment(outcome(allowedVerdict(), { problems: [FORK_PROBLEM] }), { now: NOW });

    const top = body.slice(0, body.indexOf('<details>'));
    expect(top).toContain('could not judge every image');
    expect(top).toContain('**Reports from a fork are not trusted**');
  });

  it(`stays within GitHub's ${COMMENT_MAX_CHARS} characters with 20,000 violations`, () => {
    const body = renderPrComment(outcome(hugeVerdict(20_000, 2)), { now: NOW, checkRunUrl: CHECK_RUN_URL });

    expect(body.length).toBeLessThanOrEqual(COMMENT_MAX_CHARS);
    expect(body).toMatch(/[\d,]+ violations, 1 more image not shown/);
    expect(body).toContain('```yaml');
    expect(body.trimEnd().endsWith(`[View the check run](${CHECK_RUN_URL})`)).toBe(true);
  });

  it('explains an image blocked because no policy scopes it', () => {
    const input = verdict([image({ image: 'ghcr.io/acme/tool:1', allowed: false, status: 'blocked', unscoped: true, policies: [] })]);

    const body = renderPrComment(outcome(input), { now: NOW });

    expect(body).toContain('**`ghcr.io/acme/tool:1`** is blocked: no policy scopes it and `settings.unscoped_images` is `block`.');
    expect(body).not.toContain('```yaml');
  });
});
