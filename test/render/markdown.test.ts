import { describe, expect, it } from 'vitest';

import { renderMarkdown } from '../../src/render/markdown.ts';
import {
  blockedVerdict,
  HOSTILE,
  hostileVerdict,
  hugeVerdict,
  image,
  log4jViolation,
  NOW,
  outcome,
  policy,
  verdict,
} from './helpers.ts';

/** The cells of a markdown table row, split the way GFM splits them (on unescaped `|`). */
function cellsOf(row: string): string[] {
  return row.replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/);
}

describe('src/render/markdown', () => {
  it('keeps a hostile package name inside its cell, as text', () => {
    const markdown = renderMarkdown(outcome(hostileVerdict()), { now: NOW });

    const rows = markdown.split('\n').filter((line) => line.startsWith('| critical'));
    expect(rows).toHaveLength(1);
    expect(cellsOf(rows[0]!)).toHaveLength(7);
    expect(markdown).not.toContain('<script');
    expect(markdown).not.toContain('\n# heading');
    expect(markdown).not.toContain('[x](javascript');
    expect(markdown).not.toMatch(/@admin/);
    expect(markdown).not.toContain('`rm -rf`');
  });

  it('shows a hostile image name as one code span on its heading line', () => {
    const markdown = renderMarkdown(outcome(verdict([image({ image: HOSTILE, policies: [policy({ name: 'p', violations: [log4jViolation()] })] })])), { now: NOW });

    const heading = markdown.split('\n').find((line) => line.startsWith('#### '));
    expect(heading).toBe(`#### 🚫 \`${HOSTILE.replace(/`/g, "'").replace(/[\r\n]+/g, ' ')}\` — blocked`);
    expect(markdown).not.toContain('\n# heading');
  });

  it.each([
    ['a violation message', (name: string) => verdict([image({ image: 'x', policies: [policy({ name: 'p', violations: [log4jViolation({ rule: 'custom', message: name })] })] })])],
    ['a suppressed finding', (name: string) =>
      verdict([
        image({
          image: 'x',
          policies: [policy({ name: 'p', suppressed: [{ ...log4jViolation({ package: name }), exception: name }], exceptions: [] })],
        }),
      ])],
  ])('escapes %s', (_where, build) => {
    const markdown = renderMarkdown(outcome(build(HOSTILE)), { now: NOW });

    expect(markdown).not.toContain('<script');
    expect(markdown).toContain('&lt;script&gt;');
  });

  it('lists violations most severe first, whatever order it is given', () => {
    const input = verdict([
      image({
        image: 'x',
        policies: [
          policy({
            name: 'p',
            violations: [
              log4jViolation({ id: 'LOW', severity: 'low', cvss: 3 }),
              log4jViolation({ id: 'CRIT-9', severity: 'critical', cvss: 9 }),
              log4jViolation({ id: 'UNKNOWN', severity: 'unknown', cvss: undefined }),
              log4jViolation({ id: 'CRIT-10', severity: 'critical', cvss: 10 }),
            ],
          }),
        ],
      }),
    ]);

    const markdown = renderMarkdown(outcome(input), { now: NOW });

    const ids = ['CRIT-10', 'CRIT-9', 'LOW', 'UNKNOWN'].map((id) => markdown.indexOf(`| ${id} |`));
    expect(ids.every((index) => index > 0)).toBe(true);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('names every policy file applied, even with none', () => {
    const withSources = renderMarkdown(outcome(blockedVerdict()), { now: NOW });
    const withNone = renderMarkdown(outcome({ ...blockedVerdict(), sources: [] }), { now: NOW });

    expect(withSources).toContain('**Policy files applied:** `preset:baseline`, `.github/image-assurance.yml`');
    expect(withNone).toContain('**Policy files applied:** none');
  });

  it('calls out expired exceptions and flags one that ends soon', () => {
    const markdown = renderMarkdown(outcome(blockedVerdict()), { now: NOW });

    expect(markdown).toContain('**Expired exception** CVE-2022-37434');
    expect(markdown).toContain('2026-12-01 ⏳ in 5 days');
  });

  it('cuts 20,000 violations at a row boundary, says how many were left out and keeps the sources', () => {
    const maxChars = 65_535;

    const markdown = renderMarkdown(outcome(hugeVerdict(20_000)), { now: NOW, maxChars });

    const shown = markdown.split('\n').filter((line) => /^\| (critical|high) \|/.test(line)).length;
    expect(markdown.length).toBeLessThanOrEqual(maxChars);
    expect(shown).toBeGreaterThan(100);
    expect(markdown).toContain(`${(20_000 - shown).toLocaleString('en-US')} violations`);
    expect(markdown).toContain('(1 image shown in part)');
    expect(markdown).toContain('**Policy files applied:**');
    for (const line of markdown.split('\n').filter((row) => row.startsWith('| '))) expect(cellsOf(line)).toHaveLength(7);
  });

  it('counts images left out whole', () => {
    const markdown = renderMarkdown(outcome(hugeVerdict(2_000, 4)), { now: NOW, maxChars: 20_000 });

    expect(markdown.length).toBeLessThanOrEqual(20_000);
    expect(markdown).toMatch(/3 more images not shown \(1 image shown in part\)/);
  });

  it('closes a folded block it cuts through', () => {
    const suppressed = Array.from({ length: 2_000 }, (_, i) => ({ ...log4jViolation({ id: `CVE-2024-${i}` }), exception: `CVE-2024-${i}` }));
    const input = verdict([image({ image: 'x', policies: [policy({ name: 'p', suppressed })] })]);

    const markdown = renderMarkdown(outcome(input), { now: NOW, maxChars: 10_000 });

    expect(markdown.length).toBeLessThanOrEqual(10_000);
    expect(markdown.split('<details>').length).toBe(markdown.split('</details>').length);
    expect(markdown).toMatch(/[\d,]+ suppressed findings not shown/);
  });

  it('is whole when it fits', () => {
    const full = renderMarkdown(outcome(blockedVerdict()), { now: NOW });

    const limited = renderMarkdown(outcome(blockedVerdict()), { now: NOW, maxChars: full.length });

    expect(limited).toBe(full);
  });
});
