import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { readReport } from '../../src/readers/index.ts';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

const SUMMARY = (infected: number): string =>
  `\n----------- SCAN SUMMARY -----------\nKnown viruses: 8700000\nEngine version: 1.0.5\nScanned directories: 10\nScanned files: 42\nInfected files: ${infected}\nData scanned: 1.00 MB\nTime: 9.000 sec (0 m 9 s)\n`;

describe('src/readers/clamav/read', () => {
  it('reads FOUND lines as malware, with paths that contain ": "', () => {
    const log = `/image/bin/ok: OK\n/image/tmp/eicar.com: Win.Test.EICAR_HDB-1 FOUND\n/image/odd: name.txt: Unix.Trojan.Mirai-1 FOUND\n${SUMMARY(2)}`;

    const report = readReport('clamscan.log', encode(log));

    expect(report).toMatchObject({ format: 'clamav-log', tool: 'clamav' });
    expect(report.image).toBeUndefined();
    expect(report.malware).toEqual([
      { path: '/image/tmp/eicar.com', signature: 'Win.Test.EICAR_HDB-1' },
      { path: '/image/odd: name.txt', signature: 'Unix.Trojan.Mirai-1' },
    ]);
  });

  it('counts infected files, not FOUND lines: clamscan --allmatch names one file once per signature', () => {
    const log = `/image/tmp/dropper: Win.Test.EICAR_HDB-1 FOUND\n/image/tmp/dropper: Unix.Trojan.Mirai-1 FOUND\n${SUMMARY(1)}`;

    const report = readReport('clamscan.log', encode(log));

    expect(report.malware.map((m) => m.signature)).toEqual(['Win.Test.EICAR_HDB-1', 'Unix.Trojan.Mirai-1']);
  });

  it.each([
    { name: 'OK lines only', log: '/a: OK\n/b: OK\n' },
    { name: 'a summary with no infection', log: SUMMARY(0) },
    { name: 'CRLF line ends', log: `/a: OK\r\n${SUMMARY(0).replaceAll('\n', '\r\n')}` },
  ])('accepts a clean log: $name', ({ log }) => {
    expect(readReport('c.log', encode(log)).malware).toEqual([]);
  });

  it('fails closed when the summary disagrees with the FOUND lines', () => {
    const log = `/a: Eicar FOUND\n${SUMMARY(3)}`;

    try {
      readReport('c.log', encode(log));
      expect.unreachable('expected an InputError');
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).problems).toEqual([
        { file: 'c.log', line: 8, col: 1, message: 'the summary says Infected files: 3, but the log names 1 infected file(s) in FOUND lines; the log may be truncated' },
      ]);
    }
  });

  it('rejects a summary without an Infected files line', () => {
    expect(() => readReport('c.log', encode('/a: OK\n----------- SCAN SUMMARY -----------\nScanned files: 1\n'))).toThrow(InputError);
  });
});
