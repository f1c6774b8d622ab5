import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateTrivyReport } from '../../bench/generate-trivy.ts';
import { MAX_REPORT_BYTES, NOT_RECOGNIZED, READERS, readReport, readTrivyReportInChunks } from '../../src/readers/index.ts';
import { REPORT_FORMATS } from '../../src/model/report.ts';
import { readFixture } from '../helpers/fixtures.ts';
import { inputErrorOf } from '../helpers/input-error.ts';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('src/readers/index', () => {
  it('has one reader per report format', () => {
    expect(Object.keys(READERS).sort()).toEqual([...REPORT_FORMATS].sort());
  });

  it.each([
    { name: 'empty file', content: new Uint8Array(), message: 'the report is empty' },
    { name: 'only whitespace', content: encode(' \n\t\n'), message: 'the report is empty (only whitespace)' },
    { name: 'NUL bytes', content: new Uint8Array([0x7b, 0x00, 0x7d]), message: 'binary content (NUL bytes or invalid UTF-8 in the first KB): not a text report' },
    { name: 'invalid UTF-8 at the start', content: new Uint8Array([0xff, 0xfe, 0x41, 0x42]), message: 'binary content (NUL bytes or invalid UTF-8 in the first KB): not a text report' },
    { name: 'invalid UTF-8 after the first KB', content: new Uint8Array([...encode(`{"a":"${'x'.repeat(2000)}`), 0xc3, 0x28, ...encode('"}')]), message: 'the report is not valid UTF-8 text' },
    { name: 'unknown JSON shape', content: encode('{"hello": "world"}'), message: `${NOT_RECOGNIZED}; got JSON of another shape` },
    { name: 'a JSON array', content: encode('[1, 2]'), message: `${NOT_RECOGNIZED}; got JSON of another shape` },
    { name: 'unknown XML root', content: encode('<?xml version="1.0"?><project><a/></project>'), message: `${NOT_RECOGNIZED}; got XML with root element <project>` },
    { name: 'plain text', content: encode('hello\nworld: yes\n'), message: `${NOT_RECOGNIZED}; got text that is not a clamscan log` },
  ])('rejects $name', ({ content, message }) => {
    const error = inputErrorOf(() => readReport('out/report.json', content));

    expect(error.problems).toEqual([{ file: 'out/report.json', message }]);
  });

  it('rejects a report over the size limit before reading it', () => {
    const content = new Uint8Array(MAX_REPORT_BYTES + 1);

    const error = inputErrorOf(() => readReport('big.json', content));

    expect(error.problems).toEqual([{ file: 'big.json', message: 'report is 161 MB, over the 160 MB limit' }]);
  });

  it.each([
    { name: 'a missing value', text: '{\n  "SchemaVersion": 2,\n  "Results": }', line: 3, col: 14, message: "invalid JSON: unexpected '}'" },
    { name: 'a bad literal', text: '{"SchemaVersion": tru}', line: 1, col: 22, message: "invalid JSON: unexpected '}'" },
    { name: 'a trailing comma', text: '{\n"a": [1,\n2,\n]\n}', line: 4, col: 1, message: "invalid JSON: unexpected ']'" },
    { name: 'a raw line break in a string', text: '{"a": "x\ny"}', line: 1, col: 9, message: 'invalid JSON: unexpected line break' },
    { name: 'text after the document', text: '{"a": 1}\n}', line: 2, col: 1, message: "invalid JSON: unexpected '}'" },
  ])('gives the line and column of $name', ({ text, line, col, message }) => {
    const error = inputErrorOf(() => readReport('r.json', encode(text)));

    expect(error.problems).toEqual([{ file: 'r.json', line, col, message }]);
  });

  it('says a truncated JSON report ends early, at its last line', () => {
    const full = readFixture('scans/trivy/alpine-39.json').toString('utf8');
    const truncated = full.slice(0, 5000);
    const lines = truncated.split('\n');

    const error = inputErrorOf(() => readReport('trivy.json', encode(truncated)));

    expect(error.problems).toEqual([
      { file: 'trivy.json', line: lines.length, col: lines.at(-1)!.length + 1, message: 'invalid JSON: the document ends early (truncated?)' },
    ]);
  });

  it('locates an error in a document nested deeper than the stack', () => {
    const text = `${'['.repeat(200_000)}x`;

    const error = inputErrorOf(() => readReport('deep.json', encode(text)));

    expect(error.problems).toEqual([{ file: 'deep.json', line: 1, col: 200_001, message: "invalid JSON: unexpected 'x'" }]);
  });

  it('gives the line and column of an XML syntax error', () => {
    const error = inputErrorOf(() => readReport('r.xml', encode('<?xml version="1.0"?>\n<bom>\n  <components>\n</bom>')));

    expect(error.problems[0]).toMatchObject({ file: 'r.xml', line: 4 });
    expect(error.problems[0]!.message).toMatch(/^invalid XML: /);
  });

  it('refuses XML entity declarations', () => {
    const error = inputErrorOf(() => readReport('r.xml', encode('<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY a "aaaa">]><bom>&a;</bom>')));

    expect(error.problems).toEqual([{ file: 'r.xml', message: 'XML with DTD entity declarations is not accepted' }]);
  });

  it('detects the format from the content, not the name', () => {
    const report = readReport('report.xml', readFixture('scans/trivy/alpine-39.json'));

    expect(report.format).toBe('trivy-json');
  });

  it('reads a report that starts with a UTF-8 byte order mark', () => {
    const report = readReport('r.json', new Uint8Array([0xef, 0xbb, 0xbf, ...readFixture('scans/dockle/many_findings.json')]));

    expect(report.format).toBe('dockle-json');
  });
  describe('readTrivyReportInChunks (a large report file, read a chunk at a time)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ia-chunks-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const readFile = (name: string, content: string | Uint8Array, size?: number) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      const fd = openSync(path, 'r');
      try {
        return readTrivyReportInChunks(name, size ?? statSync(path).size, (into, at, length, position) => readSync(fd, into, at, length, position));
      } finally {
        closeSync(fd);
      }
    };

    it('reads a Trivy report from its file exactly as readReport reads its bytes', () => {
      const text = generateTrivyReport({ vulnerabilities: 2500, packages: 500 });

      const report = readFile('trivy.json', text);

      expect(report).toBeDefined();
      expect(report!.vulnerabilities).toHaveLength(2500);
      expect(report).toEqual(readReport('trivy.json', Buffer.from(text)));
    });

    it('keeps UTF-8 that is not ASCII, and a BOM, as readReport does', () => {
      const text = `\uFEFF${generateTrivyReport({ vulnerabilities: 300, packages: 60 }).replaceAll('"Title": "pkg-1-', '"Title": "Ünïcode ✓ 𝄞 pkg-1-')}`;

      const report = readFile('utf8.json', text);

      expect(report).toBeDefined();
      expect(report!.vulnerabilities.some((vulnerability) => vulnerability.title?.startsWith('Ünïcode ✓ 𝄞 ') === true)).toBe(true);
      expect(report).toEqual(readReport('utf8.json', Buffer.from(text)));
    });

    it('leaves invalid UTF-8 inside a vulnerability to readReport, which names the problem', () => {
      const text = Buffer.from(generateTrivyReport({ vulnerabilities: 300, packages: 60 }));
      const at = text.indexOf('"Title": "pkg-1-') + 10;
      text[at] = 0xc3;
      text[at + 1] = 0x28;

      expect(readFile('bad-utf8.json', text)).toBeUndefined();
      expect(inputErrorOf(() => readReport('bad-utf8.json', text)).problems).toEqual([{ file: 'bad-utf8.json', message: 'the report is not valid UTF-8 text' }]);
    });

    it('leaves a file that is shorter than it was said to be, and reports that are not Trivy JSON, to readReport', () => {
      const text = generateTrivyReport({ vulnerabilities: 300, packages: 60 });

      expect(readFile('shrunk.json', text, Buffer.byteLength(text) + 100)).toBeUndefined();
      expect(readFile('grype.json', readFixture('scans/grype/many_vulns3.json'))).toBeUndefined();
      expect(readFile('empty.json', '', 0)).toBeUndefined();
    });
  });
});
