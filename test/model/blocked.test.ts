import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageStatusOf, isBlocking, isImageBlocked, isVerdictBlocked, shownStatusOf } from '../../src/model/blocked.ts';
import type { Enforcement, ImageVerdict, PolicyVerdict, Verdict } from '../../src/model/verdict.ts';
import { conclusionOf, verdictOutcome } from '../../src/render/conclusion.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';
import { renderPrComment } from '../../src/render/pr-comment.ts';
import { renderText } from '../../src/render/text.ts';
import { titleOf } from '../../src/render/title.ts';

const NOW = new Date('2026-06-15T12:00:00Z');
const VIOLATION = { rule: 'severity', id: 'CVE-2024-0001', package: 'openssl', severity: 'critical', message: 'CVE-2024-0001 in openssl is critical' } as const;

function policy(enforcement: Enforcement, passed: boolean, warnings = 0): PolicyVerdict {
  return {
    name: `${enforcement}-${passed ? 'pass' : 'fail'}`,
    enforcement,
    source: '.github/image-assurance.yml',
    passed,
    violations: passed ? [] : [{ ...VIOLATION }],
    suppressed: [],
    exceptions: [],
    ...(warnings === 0 ? {} : { findings: 'introduced' as const, warnings: Array.from({ length: warnings }, () => ({ ...VIOLATION, attribution: 'inherited' as const })) }),
  };
}

function image(fields: Partial<ImageVerdict>): ImageVerdict {
  return { image: 'ghcr.io/acme/api:1.0', allowed: true, status: 'allowed', unscoped: false, policies: [], reports: [], ...fields };
}

describe('blocked: one predicate', () => {
  it.each([
    ['block', false, true],
    ['block', true, false],
    ['warn', false, false],
    ['shadow', false, false],
  ] as const)('a %s policy that passed=%s blocks: %s', (enforcement, passed, blocks) => {
    expect(isBlocking(policy(enforcement, passed))).toBe(blocks);
  });

  it.each([
    ['nothing failed', [policy('block', true)], false, 'allowed'],
    ['a failed block policy', [policy('warn', false), policy('block', false)], false, 'blocked'],
    ['a failed warn policy', [policy('warn', false), policy('block', true)], false, 'warned'],
    ['a failed shadow policy (it would block)', [policy('shadow', false)], false, 'allowed'],
    ['a shadow policy whose findings: introduced left warnings', [policy('shadow', true, 2)], false, 'allowed'],
    ['a block policy that passed with warnings', [policy('block', true, 1)], false, 'warned'],
    ['unscoped under unscoped_images: block', [], true, 'blocked'],
  ] as const)('image status: %s', (_what, policies, isBlockedAsUnscoped, status) => {
    expect(imageStatusOf(policies, isBlockedAsUnscoped)).toBe(status);
  });

  it('an image whose verdict contradicts itself is blocked everywhere it is read (fail closed)', () => {
    const contradictory = image({ allowed: false, status: 'allowed', policies: [policy('block', true)] });
    const verdict: Verdict = { allowed: true, evaluated_at: NOW.toISOString(), context: {}, sources: [], images: [contradictory] };

    expect(isImageBlocked(contradictory)).toBe(true);
    expect(shownStatusOf(contradictory)).toBe('blocked');
    expect(isVerdictBlocked(verdict)).toBe(true);
    expect(conclusionOf(verdictOutcome(verdict))).toBe('failure');
    expect(titleOf(verdictOutcome(verdict))).toBe('1 image blocked');
    expect(renderText(verdict, { color: false, width: 100 })).toContain('Result: BLOCKED');
    expect(renderMarkdown(verdictOutcome(verdict), { now: NOW })).toContain('— blocked');
    expect(renderPrComment(verdictOutcome(verdict), { now: NOW })).toContain('is blocked');
  });

  it('a verdict that says it is not allowed is blocked even when its images are not', () => {
    expect(isVerdictBlocked({ allowed: false, images: [image({})] })).toBe(true);
    expect(isVerdictBlocked({ allowed: true, images: [image({ status: 'warned' })] })).toBe(false);
  });
});

/** Patterns that decide "blocked" on their own instead of asking src/model/blocked.ts. */
const REDERIVED: [RegExp, string][] = [
  [/\.status\s*[!=]==\s*'blocked'/, "reads status === 'blocked'"],
  [/!\s*[\w.]+\.allowed\b|\.allowed\s*\?/, 'decides on .allowed'],
  [/!\s*[\w.]+\.passed\s*&&\s*[\w.]+\.enforcement\s*===\s*'block'|\.enforcement\s*===\s*'block'\s*&&\s*![\w.]+\.passed/, "reads !passed && enforcement === 'block'"],
];

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listTs(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('blocked: nobody re-derives it', () => {
  const root = join(import.meta.dirname, '../..');
  const files = listTs(join(root, 'src')).map((path) => relative(root, path)).filter((path) => path !== 'src/model/blocked.ts');

  it('has files to check, and the patterns catch what they are meant to', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(REDERIVED.filter(([pattern]) => pattern.test("image.status === 'blocked' || !image.allowed || (!policy.passed && policy.enforcement === 'block')"))).toHaveLength(3);
  });

  it.each(files)('%s asks src/model/blocked.ts whether something is blocked', (file) => {
    const source = readFileSync(join(root, file), 'utf8');
    const found = REDERIVED.filter(([pattern]) => pattern.test(source)).map(([, what]) => what);
    expect({ file, found }).toEqual({ file, found: [] });
  });
});
