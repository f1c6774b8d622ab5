import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { readReport } from '../../src/readers/index.ts';
import { readFixture } from '../helpers/fixtures.ts';

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

describe('src/readers/dockle/read', () => {
  it('reads the real report: WARN and INFO fail, IGNORE is skipped', () => {
    const report = readReport('dockle.json', readFixture('scans/dockle/many_findings.json'));

    expect(report.image).toBeUndefined();
    expect(report.checks.map(({ id, severity, status, tool }) => ({ id, severity, status, tool }))).toEqual([
      { id: 'CIS-DI-0001', severity: 'medium', status: 'fail', tool: 'dockle' },
      { id: 'CIS-DI-0005', severity: 'low', status: 'fail', tool: 'dockle' },
      { id: 'CIS-DI-0008', severity: 'low', status: 'fail', tool: 'dockle' },
      { id: 'CIS-DI-0006', severity: 'unknown', status: 'skip', tool: 'dockle' },
    ]);
    expect(report.checks[0]).toMatchObject({ title: 'Create a user for the container', message: 'Last user should not be root' });
  });

  it.each([
    { level: 'FATAL', severity: 'high', status: 'fail' },
    { level: 'WARN', severity: 'medium', status: 'fail' },
    { level: 'INFO', severity: 'low', status: 'fail' },
    { level: 'PASS', severity: 'unknown', status: 'pass' },
    { level: 'SKIP', severity: 'unknown', status: 'skip' },
    { level: 'IGNORE', severity: 'unknown', status: 'skip' },
  ])('maps level $level', ({ level, severity, status }) => {
    const report = readReport('d.json', encode({ summary: {}, details: [{ code: 'DKL-DI-0001', title: 't', level, alerts: [] }] }));

    expect(report.checks[0]).toMatchObject({ severity, status });
  });

  it.each([
    { name: 'an unknown level', detail: { code: 'X', level: 'SEVERE' }, message: 'details[0].level: expected one of FATAL, WARN, INFO, PASS, SKIP, IGNORE (got the string "SEVERE")' },
    { name: 'no code', detail: { level: 'WARN' }, message: 'details[0].code: expected a string (got nothing)' },
    { name: 'alerts that are not strings', detail: { code: 'X', level: 'WARN', alerts: [1] }, message: 'details[0].alerts[0]: expected a string (got number 1)' },
  ])('rejects $name', ({ detail, message }) => {
    try {
      readReport('d.json', encode({ summary: {}, details: [detail] }));
      expect.unreachable('expected an InputError');
    } catch (error) {
      expect((error as InputError).problems).toEqual([{ file: 'd.json', message }]);
    }
  });
});
