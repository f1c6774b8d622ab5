import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/evaluate.ts';
import { buildBundle, buildPolicy, buildPolicySet, buildVulnerability } from '../helpers/build-bundle.ts';

const NOW = new Date('2026-06-15T12:00:00Z');
const critical = buildVulnerability({ severity: 'critical' });

describe('src/engine/evaluate', () => {
  it('returns the SPEC §3 shape', () => {
    const bundle = buildBundle({ image: 'ghcr.io/acme/api:1.2.3@sha256:abc', imageId: 'sha256:def', vulnerabilities: [critical] });
    const policySet = buildPolicySet([buildPolicy({ name: 'production-readiness', description: 'Never in prod', rules: { severity: 'critical' } })]);

    const verdict = evaluate([bundle], policySet, { now: NOW, branch: 'main' });

    expect(verdict).toEqual({
      allowed: false,
      evaluated_at: '2026-06-15T12:00:00.000Z',
      context: { branch: 'main' },
      sources: ['.github/image-assurance.yml'],
      images: [
        {
          image: 'ghcr.io/acme/api:1.2.3',
          digest: 'sha256:abc',
          image_id: 'sha256:def',
          allowed: false,
          status: 'blocked',
          unscoped: false,
          reports: [{ path: 'report.json', format: 'trivy-json', tool: 'trivy' }],
          policies: [
            {
              name: 'production-readiness',
              description: 'Never in prod',
              enforcement: 'block',
              source: '.github/image-assurance.yml',
              passed: false,
              violations: [expect.objectContaining({ rule: 'severity', id: 'CVE-2024-0001' })],
              suppressed: [],
              exceptions: [],
            },
          ],
        },
      ],
    });
  });

  it.each([
    ['a failing block policy blocks', 'block' as const, [critical], 'blocked', false],
    ['a failing warn policy only warns', 'warn' as const, [critical], 'warned', true],
    ['a passing block policy allows', 'block' as const, [], 'allowed', true],
  ])('%s', (_name, enforcement, vulnerabilities, status, allowed) => {
    const policySet = buildPolicySet([buildPolicy({ enforcement, rules: { severity: 'high' } })]);

    const verdict = evaluate([buildBundle({ vulnerabilities })], policySet, { now: NOW });

    expect(verdict.images[0]).toMatchObject({ status, allowed });
    expect(verdict.allowed).toBe(allowed);
  });

  it('blocks when a block policy fails even if a warn policy fails too', () => {
    const policySet = buildPolicySet([buildPolicy({ name: 'warn', enforcement: 'warn', rules: { severity: 'high' } }), buildPolicy({ name: 'block', rules: { severity: 'high' } })]);

    const verdict = evaluate([buildBundle({ vulnerabilities: [critical] })], policySet, { now: NOW });

    expect(verdict.images[0]?.status).toBe('blocked');
  });

  it.each([
    ['allow', true, 'allowed'],
    ['block', false, 'blocked'],
  ] as const)('an image no policy scopes, with unscoped_images %s', (unscoped_images, allowed, status) => {
    const policySet = buildPolicySet([buildPolicy({ scope: { registries: ['ghcr.io'] }, rules: { severity: 'low' } })], [], { unscoped_images });

    const verdict = evaluate([buildBundle({ image: 'alpine:3', vulnerabilities: [critical] })], policySet, { now: NOW });

    expect(verdict.images[0]).toMatchObject({ unscoped: true, allowed, status, policies: [] });
  });

  it('lists only in-scope policies, images in input order, and allowed only when every image is', () => {
    const policySet = buildPolicySet([
      buildPolicy({ name: 'ghcr', scope: { images: ['ghcr.io/**'] }, rules: { severity: 'high' } }),
      buildPolicy({ name: 'hub', scope: { images: ['alpine'] }, rules: { severity: 'high' } }),
    ]);
    const bundles = [buildBundle({ image: 'ghcr.io/acme/api:1', vulnerabilities: [critical] }), buildBundle({ image: 'alpine:3.19' })];

    const verdict = evaluate(bundles, policySet, { now: NOW });

    expect(verdict.images.map((image) => [image.image, image.allowed, image.policies.map((p) => p.name)])).toEqual([
      ['ghcr.io/acme/api:1', false, ['ghcr']],
      ['docker.io/library/alpine:3.19', true, ['hub']],
    ]);
    expect(verdict.allowed).toBe(false);
  });

  it('a branches scope does not match without a branch in the context', () => {
    const policySet = buildPolicySet([buildPolicy({ scope: { branches: ['main'] }, rules: { severity: 'high' } })]);

    const without = evaluate([buildBundle({ vulnerabilities: [critical] })], policySet, { now: NOW });
    const onMain = evaluate([buildBundle({ vulnerabilities: [critical] })], policySet, { now: NOW, branch: 'main' });

    expect(without.images[0]).toMatchObject({ unscoped: true, allowed: true });
    expect(onMain.images[0]).toMatchObject({ unscoped: false, allowed: false });
  });

  it('reports nothing for no bundles, and is allowed', () => {
    const verdict = evaluate([], buildPolicySet([buildPolicy()]), { now: NOW });

    expect(verdict).toMatchObject({ allowed: true, images: [] });
  });

  it('orders violations of several rules most severe first', () => {
    const bundle = buildBundle({
      vulnerabilities: [buildVulnerability({ id: 'CVE-B', severity: 'high' }), buildVulnerability({ id: 'CVE-A', severity: 'critical' })],
      config: { user: 'root', labels: {} },
    });
    const policySet = buildPolicySet([buildPolicy({ rules: { severity: 'high', cves: ['CVE-B'], root_user: 'deny' } })]);

    const violations = evaluate([bundle], policySet, { now: NOW }).images[0]!.policies[0]!.violations;

    expect(violations.map((v) => [v.rule, v.id])).toEqual([
      ['severity', 'CVE-A'],
      ['severity', 'CVE-B'],
      ['cves', 'CVE-B'],
      ['root_user', 'user'],
    ]);
  });
});
