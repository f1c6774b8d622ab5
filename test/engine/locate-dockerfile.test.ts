import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/evaluate.ts';
import { locateInDockerfile, needsDockerfile, type DockerfilePlaces } from '../../src/engine/locate-dockerfile.ts';
import type { Verdict, Violation } from '../../src/model/verdict.ts';
import type { Rules } from '../../src/policy/schema.ts';
import { readDockerfile } from '../../src/job/read-dockerfile.ts';
import { buildBundle, buildPolicy, buildPolicySet, buildSecret, buildVulnerability } from '../helpers/build-bundle.ts';

const NOW = new Date('2026-06-15T12:00:00Z');
const DOCKERFILE = readDockerfile('services/api/Dockerfile', ['FROM golang:1.22 AS build', 'RUN go build', 'FROM ubuntu:20.04', 'COPY --from=build /app /app', 'USER app', 'ENTRYPOINT ["/app"]'].join('\n'));

/** Freezes an object and everything in it, so that a mutation throws. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** A real verdict: two policies of one image break root_user and base_images, plus a vulnerability and a secret in the image. */
function judged(user = ''): Verdict {
  const bundle = buildBundle({
    image: 'ghcr.io/acme/api:1.0',
    config: { user, labels: {} },
    vulnerabilities: [buildVulnerability({ severity: 'critical' })],
    secrets: [buildSecret()],
  });
  const rules: Rules = { root_user: 'deny', base_images: ['docker.io/library/alpine:3.*'], severity: 'high', secrets: 'deny' };
  const policySet = buildPolicySet([buildPolicy({ name: 'a', rules }), buildPolicy({ name: 'b', rules })]);
  return evaluate([bundle], policySet, { now: NOW });
}

function byRule(verdict: Verdict, policy: number): Record<string, Violation['location']> {
  return Object.fromEntries(verdict.images[0]!.policies[policy]!.violations.map((violation) => [violation.rule, violation.location]));
}

describe('locateInDockerfile', () => {
  it('returns a new verdict and leaves the one it was given as it was (deep-frozen input)', () => {
    const input = judged();
    const before = structuredClone(input);
    deepFreeze(input);

    const located = locateInDockerfile(input, [DOCKERFILE]);

    expect(input).toEqual(before);
    expect(located).not.toBe(input);
    expect(located.images[0]!.policies[0]!.violations.find((v) => v.rule === 'root_user')?.location).toEqual({ path: 'services/api/Dockerfile', line: 5 });
  });

  it('puts root_user at the USER line, base_images at the FROM line, and nothing else in the Dockerfile', () => {
    const located = locateInDockerfile(judged(), [DOCKERFILE]);

    for (const policy of [0, 1]) {
      expect(byRule(located, policy)).toEqual({
        root_user: { path: 'services/api/Dockerfile', line: 5 },
        base_images: { path: 'services/api/Dockerfile', line: 3 },
        severity: undefined,
        secrets: { path: '/app/.env', line: 3 },
      });
    }
  });

  it('puts root_user at the final stage\'s FROM line when no USER applies to it', () => {
    const dockerfile = readDockerfile('Dockerfile', 'FROM alpine:3.19 AS base\nUSER app\nFROM ubuntu:20.04\nRUN true\n');

    const located = locateInDockerfile(judged(), [dockerfile]);

    expect(byRule(located, 0)).toMatchObject({ root_user: { path: 'Dockerfile', line: 3 }, base_images: { path: 'Dockerfile', line: 3 } });
  });

  it('keeps a location the rule already gave (a base image read from the Dockerfile) and the images it has no Dockerfile for', () => {
    const input = judged();
    const withPlace = structuredClone(input);
    withPlace.images[0]!.policies[0]!.violations.find((v) => v.rule === 'base_images')!.location = { path: 'build/Dockerfile', line: 1 };

    expect(byRule(locateInDockerfile(withPlace, [DOCKERFILE]), 0)['base_images']).toEqual({ path: 'build/Dockerfile', line: 1 });
    expect(locateInDockerfile(input, [undefined])).toBe(input);
    expect(locateInDockerfile(input, [])).toBe(input);
  });

  it('locates nothing with a Dockerfile that has no FROM', () => {
    const input = judged();
    const empty: DockerfilePlaces = readDockerfile('Dockerfile', '# nothing\n');

    expect(locateInDockerfile(input, [empty])).toBe(input);
  });

  it('asks for the Dockerfile only when an image has a finding to locate there', () => {
    const input = judged();
    const nonRoot = evaluate([buildBundle({ vulnerabilities: [buildVulnerability({ severity: 'critical' })] })], buildPolicySet([buildPolicy({ rules: { root_user: 'deny', severity: 'high' } })]), { now: NOW });

    expect(needsDockerfile(input.images[0]!)).toBe(true);
    expect(needsDockerfile(locateInDockerfile(input, [DOCKERFILE]).images[0]!)).toBe(false);
    expect(needsDockerfile(nonRoot.images[0]!)).toBe(false);
  });
});
