import { z } from 'zod';
import { InputError, type Problem } from '../errors.ts';
import type { ImageVerdict, Verdict } from '../model/verdict.ts';
import { parseImageRef } from '../model/image-ref.ts';
import { describeIssues } from '../policy/describe-issues.ts';
import { readYaml } from '../policy/read-yaml.ts';

/**
 * A policy test file (`image-assurance test FILE…`, as `conftest verify` or `kyverno test`): reports
 * and the verdict expected of each image and policy. Paths are relative to the test file.
 *
 *   policies: [image-assurance.yml]        # files or preset:NAME
 *   now: 2026-11-26                        # optional: exceptions expire against this day
 *   tests:
 *     - name: log4j blocks the api image
 *       reports: [reports/api]
 *       expect:
 *         - image: ghcr.io/acme/api:1.2.3
 *           status: blocked                # allowed | warned | blocked
 *           policies:
 *             production-readiness: fail   # pass | fail | skip (the policy's scope does not match)
 */

export const POLICY_RESULTS = ['pass', 'fail', 'skip'] as const;
export type PolicyResult = (typeof POLICY_RESULTS)[number];
export const IMAGE_STATUSES = ['allowed', 'warned', 'blocked'] as const;

const Paths = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, 'an ISO date (YYYY-MM-DD)');

const ExpectedImage = z.strictObject({
  image: z.string().min(1),
  status: z.enum(IMAGE_STATUSES).optional(),
  policies: z.record(z.string().min(1), z.enum(POLICY_RESULTS)).optional(),
});

const TestCase = z.strictObject({
  name: z.string().min(1),
  reports: Paths,
  policies: Paths.optional(),
  image: z.string().min(1).optional(),
  branch: z.string().min(1).optional(),
  env: z.string().min(1).optional(),
  now: IsoDate.optional(),
  vex: Paths.optional(),
  expect: z.array(ExpectedImage).min(1),
});

export const PolicyTestFile = z.strictObject({
  policies: Paths,
  now: IsoDate.optional(),
  'org-policy': z.string().min(1).optional(),
  tests: z.array(TestCase).min(1),
});
export type PolicyTestFile = z.infer<typeof PolicyTestFile>;
export type TestCase = z.infer<typeof TestCase>;
export type ExpectedImage = z.infer<typeof ExpectedImage>;

/** Parses a test file; every problem is an InputError at its line and column. */
export function parsePolicyTestFile(file: string, text: string): PolicyTestFile {
  const yaml = readYaml(file, text);
  if (yaml.problems.length > 0) throw new InputError(yaml.problems);
  if (yaml.data === null || yaml.data === undefined) throw new InputError({ file, line: 1, col: 1, message: 'the test file is empty; it needs `policies` and `tests`' });
  const result = PolicyTestFile.safeParse(yaml.data);
  if (!result.success) throw new InputError(describeIssues(result.error.issues, PolicyTestFile, yaml));
  const problems: Problem[] = [];
  const names = new Set<string>();
  result.data.tests.forEach((test, index) => {
    if (names.has(test.name)) problems.push({ file, ...yaml.positionOf(['tests', index, 'name']), message: `duplicate test name "${test.name}"` });
    names.add(test.name);
  });
  if (problems.length > 0) throw new InputError(problems);
  return result.data;
}

export function listOf(paths: string | string[] | undefined): string[] {
  if (paths === undefined) return [];
  return typeof paths === 'string' ? [paths] : paths;
}

/** What was expected and what came, as lines a diff can show; the same keys on both sides. */
export interface Comparison {
  isMatch: boolean;
  expected: string;
  actual: string;
}

/** Compares one test's expectations with the verdict: only what the test names is checked. */
export function compareVerdict(expectations: readonly ExpectedImage[], verdict: Verdict): Comparison {
  const expected: string[] = [];
  const actual: string[] = [];
  for (const expectation of expectations) {
    const image = findImage(verdict, expectation.image);
    expected.push(`${expectation.image}:`);
    actual.push(`${expectation.image}:`);
    if (image === undefined) {
      expected.push('  judged: yes');
      actual.push(`  judged: no (the reports name ${verdict.images.length === 0 ? 'no image' : verdict.images.map((each) => each.image).join(', ')})`);
      continue;
    }
    if (expectation.status !== undefined) {
      expected.push(`  status: ${expectation.status}`);
      actual.push(`  status: ${image.status}`);
    }
    for (const [name, result] of Object.entries(expectation.policies ?? {})) {
      expected.push(`  ${name}: ${result}`);
      actual.push(`  ${name}: ${policyResult(image, name)}`);
    }
  }
  const expectedText = `${expected.join('\n')}\n`;
  const actualText = `${actual.join('\n')}\n`;
  return { isMatch: expectedText === actualText, expected: expectedText, actual: actualText };
}

function findImage(verdict: Verdict, ref: string): ImageVerdict | undefined {
  const wanted = parseImageRef(ref);
  return verdict.images.find((image) => image.image === wanted.ref || (wanted.digest !== undefined && image.digest === wanted.digest) || image.image === ref);
}

/** `pass`, `fail` (with the rules that failed), or `skip` when the policy's scope does not match the image. */
function policyResult(image: ImageVerdict, name: string): string {
  const policy = image.policies.find((each) => each.name === name);
  if (policy === undefined) return 'skip';
  if (policy.passed) return 'pass';
  return 'fail';
}
