import { describe, expect, it } from 'vitest';

import stringWidth from 'string-width';
import { renderText } from '../../src/render/text.ts';
import { blockedVerdict, emptyVerdict, HOSTILE, hugeVerdict, image, log4jViolation, OPENSSL, policy, verdict } from './helpers.ts';

const ESC = '\u001b';

describe('src/render/text', () => {
  it.each([
    [false, 0],
    [true, 1],
  ])('uses ANSI colour only when color is %s', (color, minimum) => {
    const text = renderText(blockedVerdict(), { color });

    expect(text.split(ESC).length - 1 >= minimum).toBe(true);
    if (!color) expect(text).not.toContain(ESC);
  });

  it('shows installed → fixed and severity/CVSS per violation, and the result', () => {
    const text = renderText(blockedVerdict(), { color: false });

    expect(text).toMatch(/critical 10\.0\s+CVE-2021-44228\s+log4j-core\s+2\.14\.1 → 2\.17\.1\s+production-readiness: severity\n/);
    expect(text).toContain('Result: BLOCKED - 1 image blocked by production-readiness');
    expect(text).toContain('Policy files applied: preset:baseline, .github/image-assurance.yml');
  });

  it('strips control characters a report could use to rewrite the terminal', () => {
    const hostile = `${HOSTILE}${ESC}[2J${ESC}]0;pwned\u0007`;
    const input = verdict([image({ image: `x${ESC}[31m`, policies: [policy({ name: 'p', violations: [log4jViolation({ package: hostile, message: hostile, rule: 'custom' })] })] })]);

    const text = renderText(input, { color: false });

    expect(text).not.toContain(ESC);
    expect(text).not.toContain('\u0007');
    expect(text).not.toContain('\r');
    expect(text.split('\n').some((line) => line.startsWith('# heading'))).toBe(false);
  });

  it('says when nothing was judged', () => {
    const text = renderText(emptyVerdict(), { color: false });

    expect(text).toContain('Result: NOTHING JUDGED - No image reports found');
  });

  it('lists a finding once, with every policy and rule it violates, and totals by severity', () => {
    const input = verdict([
      image({
        image: 'ghcr.io/acme/api:1',
        policies: [
          policy({ name: 'baseline', violations: [log4jViolation({ rule: 'fixable_severity' })] }),
          policy({ name: 'production', violations: [log4jViolation(), log4jViolation({ rule: 'fixable_severity' }), OPENSSL] }),
          policy({ name: 'hygiene', enforcement: 'warn', violations: [log4jViolation({ rule: 'max_cvss' })] }),
        ],
      }),
    ]);

    const text = renderText(input, { color: false });

    expect(text.match(/CVE-2021-44228/g)).toHaveLength(1);
    expect(text).toContain('baseline: fixable_severity; production: severity, fixable_severity; hygiene (warn): max_cvss');
    expect(text).toContain('  Total: 2 (CRITICAL: 1, HIGH: 1)\n');
  });

  it('tells copies of one package apart by where they are', () => {
    const copies = ['4.17.15', '4.17.11', '2.4.2'].map((version, index) =>
      log4jViolation({ id: 'CVE-2021-23337', package: 'lodash', version, location: { path: `app/node_modules/${'x/node_modules/'.repeat(index)}lodash/package.json` } }),
    );
    const input = verdict([image({ image: 'x', policies: [policy({ name: 'p', violations: copies })] })]);

    const text = renderText(input, { color: false });

    expect(text).toContain('lodash (app/node_modules/lodash/package.json)');
    expect(text).toContain('lodash (app/node_modules/x/node_modules/lodash/package.json)');
    expect(text).toContain('lodash (app/node_modules/x/node_modules/x/node_modules/lodash/package.json)');
  });

  it.each([
    [60, 'CVE-2024-0'],
    [80, 'CVE-2024-00029'],
    [100, 'CVE-2024-00029'],
    [132, 'CVE-2024-00029'],
  ])('fits a %i-column terminal, colour and all', (width, shown) => {
    const input = hugeVerdict(30);
    input.images[0]!.policies[0]!.violations[0]!.package = `org.apache.logging.log4j:log4j-core-with-a-very-long-name (${'deep/'.repeat(30)}log4j.jar)`;

    const text = renderText(input, { color: true, width, limit: 0 });

    const widths = text.split('\n').map((line) => stringWidth(line));
    expect(Math.max(...widths)).toBeLessThanOrEqual(width);
    expect(text).toContain(shown);
  });

  it('keeps the full text when there is no width (not a terminal)', () => {
    const long = `lib-${'x'.repeat(50)}`;
    const input = verdict([image({ image: 'x', policies: [policy({ name: 'p', violations: [log4jViolation({ package: long })] })] })]);

    const text = renderText(input, { color: false });

    expect(text.split('\n').find((line) => line.includes('CVE-2021-44228'))).toContain(long);
  });

  it('shows at most --limit findings per image, then says how many more', () => {
    const text = renderText(hugeVerdict(50), { color: false, limit: 20 });

    expect(text.match(/CVE-2024-\d{5}/g)).toHaveLength(20);
    expect(text).toContain('  … and 30 more (--format json for all)\n');
    expect(renderText(hugeVerdict(50), { color: false, limit: 0 }).match(/CVE-2024-\d{5}/g)).toHaveLength(50);
  });

  it('says WOULD BLOCK for a shadow policy, with the day it starts to block', () => {
    const input = verdict([image({ image: 'x', policies: [policy({ name: 'next-quarter', enforcement: 'shadow', enforce_from: '2027-01-01', violations: [log4jViolation()] })] })]);

    const text = renderText(input, { color: false });

    expect(text).toMatch(/ {2}WOULD BLOCK {2}next-quarter {2}shadow, blocks from 2027-01-01, \.github\/image-assurance\.yml {2}1 violation\n/);
    expect(text).toContain('next-quarter (shadow): severity');
  });
});
