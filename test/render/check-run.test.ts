import { describe, expect, it } from 'vitest';

import { locateInDockerfile } from '../../src/engine/locate-dockerfile.ts';
import type { Violation } from '../../src/model/verdict.ts';
import {
  ANNOTATIONS_PER_REQUEST,
  batchAnnotations,
  CHECK_SUMMARY_MAX_CHARS,
  MAX_ANNOTATIONS,
  renderCheckRun,
} from '../../src/render/check-run.ts';
import {
  allowedVerdict,
  blockedVerdict,
  DIGEST,
  emptyVerdict,
  FORK_PROBLEM,
  hugeVerdict,
  image,
  NOW,
  outcome,
  POLICY_PROBLEM,
  policy,
  ROOT_USER,
  verdict,
  warnedVerdict,
  itKeepsReportTextInert,
} from './helpers.ts';


const BASE_IMAGE: Violation = {
  rule: 'base_images',
  id: 'base-image',
  message: 'Base image docker.io/library/ubuntu:20.04 is not one of docker.io/library/alpine:3.*',
};

describe('src/render/check-run', () => {
  itKeepsReportTextInert((input) => renderCheckRun(input, { now: NOW }).summary);

  it.each([
    ['blocked', outcome(blockedVerdict()), '1 image blocked by production-readiness'],
    ['allowed', outcome(allowedVerdict()), '1 image allowed'],
    ['warned', outcome(warnedVerdict()), '1 image allowed, 1 with warnings'],
    ['empty', outcome(emptyVerdict()), 'No image reports found'],
    ['a broken policy', outcome(emptyVerdict(), { problems: [POLICY_PROBLEM] }), 'Policy file is invalid'],
    ['two problems', outcome(allowedVerdict(), { problems: [POLICY_PROBLEM, FORK_PROBLEM] }), 'Policy file is invalid (+1 more problem)'],
    [
      'two images and two policies',
      outcome(
        verdict([
          image({ image: 'a', policies: [policy({ name: 'production-readiness', violations: [ROOT_USER] })] }),
          image({ image: 'b', policies: [policy({ name: 'no-secrets', violations: [ROOT_USER] })] }),
        ]),
      ),
      '2 images blocked by production-readiness and no-secrets',
    ],
  ])('titles %s in one line', (_name, input, title) => {
    const output = renderCheckRun(input, { now: NOW });

    expect(output.title).toBe(title);
    expect(output.title).not.toContain('\n');
  });

  it('annotates the policy problem at its line and column, and not a problem without a repository file', () => {
    const reportProblem = { kind: 'report' as const, message: 'not JSON', file: 'image-scan/api/trivy.json', line: 1 };

    const output = renderCheckRun(outcome(emptyVerdict(), { problems: [POLICY_PROBLEM, FORK_PROBLEM, reportProblem] }), { now: NOW });

    expect(output.conclusion).toBe('failure');
    expect(output.annotations).toEqual([
      expect.objectContaining({ path: '.github/image-assurance.yml', start_line: 12, end_line: 12, start_column: 17, end_column: 17, annotation_level: 'failure' }),
    ]);
  });

  it.each([
    ['root_user at the USER line', ROOT_USER, { path: 'Dockerfile', from: { line: 2 }, user: { line: 9 } }, 9],
    ['root_user without USER at the FROM line', ROOT_USER, { path: 'Dockerfile', from: { line: 2 } }, 2],
    ['base_images at the FROM line', BASE_IMAGE, { path: 'Dockerfile', from: { line: 2 }, user: { line: 9 } }, 2],
  ])('annotates %s, once located in the Dockerfile', (_name, violation, dockerfile, line) => {
    const input = verdict([image({ image: 'ghcr.io/acme/api:1', digest: DIGEST, policies: [policy({ name: 'p', violations: [violation] })] })]);

    expect(renderCheckRun(outcome(input), { now: NOW }).annotations).toEqual([]);
    const output = renderCheckRun(outcome(locateInDockerfile(input, [dockerfile])), { now: NOW });

    expect(output.annotations).toHaveLength(1);
    expect(output.annotations[0]).toMatchObject({ path: 'Dockerfile', start_line: line, end_line: line, annotation_level: 'failure' });
  });

  it('warns for warn policies, and merges images built from one Dockerfile', () => {
    const input = verdict([
      image({ image: 'ghcr.io/acme/a:1', policies: [policy({ name: 'p', enforcement: 'warn', violations: [ROOT_USER] })] }),
      image({ image: 'ghcr.io/acme/b:1', policies: [policy({ name: 'p', enforcement: 'warn', violations: [ROOT_USER] })] }),
    ]);
    const dockerfile = { path: 'Dockerfile', from: { line: 1 }, user: { line: 5 } };

    const output = renderCheckRun(outcome(locateInDockerfile(input, [dockerfile, dockerfile])), { now: NOW });

    expect(output.annotations).toHaveLength(1);
    expect(output.annotations[0]!.annotation_level).toBe('warning');
    expect(output.annotations[0]!.message).toContain('Also ghcr.io/acme/b:1.');
  });

  it.each([
    ['a path inside the image', { path: '/app/.env', line: 3 }, 0],
    ['a Dockerfile in the repository', { path: 'build/api.Dockerfile', line: 7 }, 1],
  ])('annotates a violation location only in the repository: %s', (_name, location, count) => {
    const secret: Violation = { rule: 'secrets', id: 'aws-access-key-id', message: 'AWS access key', location };
    const input = verdict([image({ image: 'x', policies: [policy({ name: 'p', violations: [secret] })] })]);

    const output = renderCheckRun(outcome(input), { now: NOW });

    expect(output.annotations).toHaveLength(count);
  });

  it(`keeps a summary of 20,000 violations within ${CHECK_SUMMARY_MAX_CHARS} characters and says what was left out`, () => {
    const output = renderCheckRun(outcome(hugeVerdict(20_000)), { now: NOW });

    expect(output.summary.length).toBeLessThanOrEqual(CHECK_SUMMARY_MAX_CHARS);
    expect(output.summary).toMatch(/Truncated\*\* to fit GitHub's size limit: [\d,]+ violations not shown/);
    expect(output.conclusion).toBe('failure');
  });

  it(`sends at most ${MAX_ANNOTATIONS} annotations and says how many were left out`, () => {
    const problems = Array.from({ length: MAX_ANNOTATIONS + 20 }, (_, i) => ({ ...POLICY_PROBLEM, line: i + 1 }));

    const output = renderCheckRun(outcome(emptyVerdict(), { problems }), { now: NOW });

    expect(output.annotations).toHaveLength(MAX_ANNOTATIONS);
    expect(output.text).toContain('20 more annotations left out');
    expect(output.summary.length).toBeLessThanOrEqual(CHECK_SUMMARY_MAX_CHARS);
  });

  it.each([
    [0, []],
    [1, [1]],
    [50, [50]],
    [51, [50, 1]],
    [120, [50, 50, 20]],
  ])(`batches %i annotations into GitHub's ${ANNOTATIONS_PER_REQUEST} per request`, (count, sizes) => {
    const annotations = Array.from({ length: count }, (_, i) => i);

    const batches = batchAnnotations(annotations);

    expect(batches.map((batch) => batch.length)).toEqual(sizes);
    expect(batches.flat()).toEqual(annotations);
  });

  it.each([0, -1, 1.5])('refuses a batch size of %d', (size) => {
    expect(() => batchAnnotations([1, 2], size)).toThrow(RangeError);
  });
});
