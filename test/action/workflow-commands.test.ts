import { describe, expect, it } from 'vitest';
import { fitStepSummary, formatAnnotation, formatOutput, STEP_SUMMARY_MAX_BYTES } from '../../src/action/workflow-commands.ts';
import { parseOutputFile } from './run-bundle.ts';

describe('action/workflow-commands', () => {
  it.each([
    ['plain', 'error', 'a message', {}, '::error::a message\n'],
    ['title with the characters properties must escape', 'warning', 'm', { title: 'ghcr.io/a:1, b' }, '::warning title=ghcr.io/a%3A1%2C b::m\n'],
    ['a message over several lines and with %', 'error', '100% sure\r\nnext', {}, '::error::100%25 sure%0D%0Anext\n'],
  ] as const)('formatAnnotation: %s', (_name, level, message, properties, expected) => {
    expect(formatAnnotation(level, message, properties)).toBe(expected);
  });

  it('formatOutput: a value with line breaks and `=` reads back as it was', () => {
    const value = 'a=b\nfalse\nallowed<<x';

    const text = formatOutput('verdict-file', value) + formatOutput('allowed', 'false');

    expect(parseOutputFile(text)).toEqual({ 'verdict-file': value, allowed: 'false' });
  });

  it('formatOutput: refuses a value that holds its delimiter', () => {
    expect(() => formatOutput('x', 'a\nEOF\nb', 'EOF')).toThrow('holds its own delimiter');
  });

  it('fitStepSummary: leaves a summary under 1 MiB alone, cuts a longer one at a line break and says so', () => {
    const row = '| critical | CVE-2021-44228 | log4j-core | 🚫 |\n';
    const long = row.repeat(Math.ceil((STEP_SUMMARY_MAX_BYTES * 2) / Buffer.byteLength(row)));

    const fitted = fitStepSummary(long, '_cut_');

    expect(fitStepSummary('short\n', '_cut_')).toBe('short\n');
    expect(Buffer.byteLength(fitted)).toBeLessThanOrEqual(STEP_SUMMARY_MAX_BYTES);
    expect(Buffer.byteLength(fitted)).toBeGreaterThan(STEP_SUMMARY_MAX_BYTES - 2 * Buffer.byteLength(row));
    expect(fitted.endsWith(`${row}\n_cut_\n`)).toBe(true);
  });
});
