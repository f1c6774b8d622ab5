import { expect, it } from 'vitest';
import type { Outcome, OutcomeProblem } from '../../src/model/outcome.ts';
import type { ImageVerdict, PolicyVerdict, Verdict, Violation } from '../../src/model/verdict.ts';

/** Hand-made verdicts and outcomes for the renderer tests; every field is spelled out. */

export const NOW = new Date('2026-11-26T00:00:00Z');
export const CHECK_RUN_URL = 'https://github.com/acme/api/runs/42';
export const DIGEST = 'sha256:3f1e0c5a9b7d2e4f6a8c0b1d3e5f7a9c2b4d6e8f0a1c3e5b7d9f1a3c5e7b9d0f';

export function log4jViolation(overrides: Partial<Violation> = {}): Violation {
  return {
    rule: 'severity',
    id: 'CVE-2021-44228',
    package: 'log4j-core',
    version: '2.14.1',
    severity: 'critical',
    cvss: 10,
    fixed_version: '2.17.1',
    message: 'CVE-2021-44228 in log4j-core 2.14.1 is critical (at or above critical); fixed in 2.17.1',
    ...overrides,
  };
}

export const ROOT_USER: Violation = {
  rule: 'root_user',
  id: 'user',
  message: 'The image runs as root (USER is empty)',
};

export const OPENSSL: Violation = {
  rule: 'fixable_severity',
  id: 'CVE-2023-0286',
  package: 'libssl3',
  version: '3.0.7-r0',
  severity: 'high',
  cvss: 7.4,
  fixed_version: '3.0.8-r0',
  message: 'CVE-2023-0286 in libssl3 3.0.7-r0 is high and has a fix (3.0.8-r0)',
};

export const GPL: Violation = {
  rule: 'licenses',
  id: 'GPL-3.0-only',
  package: 'readline',
  version: '8.2',
  message: 'readline 8.2 is licensed GPL-3.0-only, which matches GPL-3.0*',
};

export function policy(overrides: Partial<PolicyVerdict> & Pick<PolicyVerdict, 'name'>): PolicyVerdict {
  const violations = overrides.violations ?? [];
  return {
    enforcement: 'block',
    source: '.github/image-assurance.yml',
    passed: violations.length === 0,
    violations,
    suppressed: [],
    exceptions: [],
    ...overrides,
  };
}

export function image(overrides: Partial<ImageVerdict> & Pick<ImageVerdict, 'image'>): ImageVerdict {
  const policies = overrides.policies ?? [];
  const isBlocked = policies.some((p) => !p.passed && p.enforcement === 'block');
  const isWarned = policies.some((p) => !p.passed && p.enforcement === 'warn');
  return {
    allowed: !isBlocked,
    status: isBlocked ? 'blocked' : isWarned ? 'warned' : 'allowed',
    unscoped: false,
    policies,
    reports: [{ path: 'scans/api/trivy.json', format: 'trivy', tool: 'trivy' }],
    ...overrides,
  };
}

export function verdict(images: ImageVerdict[], overrides: Partial<Verdict> = {}): Verdict {
  return {
    allowed: images.every((i) => i.allowed),
    evaluated_at: NOW.toISOString(),
    context: { branch: 'main' },
    sources: ['preset:baseline', '.github/image-assurance.yml'],
    images,
    ...overrides,
  };
}

export function outcome(v: Verdict, overrides: Partial<Outcome> = {}): Outcome {
  return { verdict: v, problems: [], notes: [], runs: [], ...overrides };
}

/** One image blocked by production-readiness (log4j, root user, a suppressed and an expired exception) and one allowed with a license warning. */
export function blockedVerdict(): Verdict {
  return verdict([
    image({
      image: 'ghcr.io/acme/api:1.2.3',
      digest: DIGEST,
      policies: [
        policy({
          name: 'production-readiness',
          description: 'What must never reach production.',
          violations: [OPENSSL, ROOT_USER, log4jViolation()],
          suppressed: [
            {
              rule: 'severity',
              id: 'CVE-2023-44487',
              package: 'nghttp2-libs',
              version: '1.51.0-r0',
              severity: 'high',
              cvss: 7.5,
              fixed_version: '1.57.0-r0',
              message: 'CVE-2023-44487 in nghttp2-libs is high',
              exception: 'CVE-2023-44487',
            },
          ],
          exceptions: [
            { id: 'CVE-2023-44487', expires: '2026-12-01', expired: false, reason: 'HTTP/2 is not exposed', source: '.github/image-assurance.yml', suppressed: 1 },
            { id: 'CVE-2022-37434', expires: '2026-10-31', expired: true, reason: 'zlib inflate is not used', source: 'org:.github/image-assurance.yml', suppressed: 0 },
          ],
        }),
        policy({ name: 'license-review', enforcement: 'warn', violations: [GPL] }),
      ],
    }),
    image({
      image: 'docker.io/library/alpine:3.19',
      digest: 'sha256:aaaa000000000000000000000000000000000000000000000000000000000000',
      policies: [policy({ name: 'production-readiness' })],
      reports: [{ path: 'scans/alpine/grype.json', format: 'grype', tool: 'grype' }],
    }),
  ]);
}

export function warnedVerdict(): Verdict {
  return verdict([
    image({
      image: 'ghcr.io/acme/worker:2.0.0',
      digest: DIGEST,
      policies: [policy({ name: 'production-readiness' }), policy({ name: 'license-review', enforcement: 'warn', violations: [GPL] })],
    }),
  ]);
}

export function allowedVerdict(): Verdict {
  return verdict([image({ image: 'ghcr.io/acme/api:1.2.4', digest: DIGEST, policies: [policy({ name: 'production-readiness' })] })]);
}

export function emptyVerdict(): Verdict {
  return verdict([]);
}

export const POLICY_PROBLEM: OutcomeProblem = {
  kind: 'policy',
  message: 'policies[0].rules.severity must be one of negligible, low, medium, high, critical; got "severe"',
  file: '.github/image-assurance.yml',
  line: 12,
  col: 17,
};

export const FORK_PROBLEM: OutcomeProblem = {
  kind: 'fork',
  message: 'The reports come from a fork (octo/api); settings.forks is untrusted, so they cannot vouch for the image.',
};

/** A package name that tries to break tables, inject HTML, open code spans and start new lines. */
export const HOSTILE = 'evil|pkg <script>alert(1)</script> `rm -rf` [x](javascript:alert(1)) @admin\n# heading\r\n| --- |';

export function hostileVerdict(): Verdict {
  return verdict([
    image({
      image: 'ghcr.io/acme/api:1.2.3',
      digest: DIGEST,
      policies: [
        policy({
          name: 'production-readiness',
          violations: [log4jViolation({ package: HOSTILE, id: `CVE-2099-0001${HOSTILE}`, version: HOSTILE, fixed_version: HOSTILE, message: HOSTILE })],
        }),
      ],
    }),
  ]);
}

/** Bidirectional controls (U+202A–U+202E, U+2066–U+2069) and issue cross-references a report may carry. */
export const TRICKY = 'fixed in \u202eVERSION\u202c see #123, acme/api#1 and GH-7 \u2066isolated\u2069';
export const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;
export const PINNED_IMAGE = `ghcr.io/acme/api@${DIGEST}`;

/** An image pinned by digest whose findings carry TRICKY text in every report-supplied field. */
export function trickyVerdict(): Verdict {
  const violation = log4jViolation({ id: `GHSA-1234 ${TRICKY}`, package: `log4j ${TRICKY}`, version: TRICKY, fixed_version: TRICKY, message: TRICKY });
  return verdict([
    image({
      image: PINNED_IMAGE,
      digest: DIGEST,
      policies: [policy({ name: 'production-readiness', violations: [violation, { rule: 'custom', id: 'c', message: TRICKY }] })],
    }),
  ]);
}

/**
 * The checks every markdown renderer must pass on report text (trickyVerdict): no bidirectional
 * control survives, `#123`-style references no longer link, and the pinned image and its digest
 * sit in code spans with nothing inserted into them.
 */
export function itKeepsReportTextInert(render: (input: Outcome) => string): void {
  it('strips bidirectional controls and neutralises issue cross-references in report text', () => {
    const text = render(outcome(trickyVerdict()));

    expect(text).not.toMatch(BIDI_CONTROL);
    expect(text.replace(/```yaml[^]*?```/g, '')).not.toMatch(/(?<!&)#\d|GH-\d/);
    expect(text).toContain('see #&#8203;123, acme/api#&#8203;1 and GH-&#8203;7 isolated');
  });

  it('shows the pinned image and its digest copy-paste exact, in code spans', () => {
    const text = render(outcome(trickyVerdict()));

    const spans = [...text.matchAll(/`([^`\n]*)`/g)].map((match) => match[1]);
    expect(spans).toContain(PINNED_IMAGE);
    expect(spans).toContain(DIGEST);
    for (const span of spans.filter((s) => s?.includes('sha256:'))) expect(span).not.toMatch(/[\u200b-\u200d\u2060\ufeff]|&#8203;/);
  });
}

/** `count` violations on one image, for the truncation tests. */
export function hugeVerdict(count: number, images = 1): Verdict {
  const list = Array.from({ length: images }, (_, imageIndex) =>
    image({
      image: `ghcr.io/acme/service-${imageIndex}:1.0.0`,
      digest: DIGEST,
      policies: [
        policy({
          name: 'production-readiness',
          violations: Array.from({ length: count }, (_, i) =>
            log4jViolation({ id: `CVE-2024-${String(i).padStart(5, '0')}`, package: `package-number-${i}`, severity: i % 2 === 0 ? 'critical' : 'high' }),
          ),
        }),
      ],
    }),
  );
  return verdict(list);
}
