import { describe, expect, it } from 'vitest';

import { renderText } from '../../src/render/text.ts';
import { blockedVerdict, emptyVerdict, HOSTILE, image, log4jViolation, policy, verdict } from './helpers.ts';

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

    expect(text).toMatch(/severity\s+CVE-2021-44228\s+log4j-core\s+2\.14\.1 → 2\.17\.1\s+critical\/10\.0/);
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
});
