import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateTrivyReport } from '../../../bench/generate-trivy.ts';
import { ByteWindow, type ReadBytes } from '../../../src/readers/fast/byte-window.ts';
import { readTrivyInSlices as readInSlices } from '../../../src/readers/fast/trivy-slices.ts';
import { readReport } from '../../../src/readers/index.ts';
import { readTrivyJson } from '../../../src/readers/trivy/read.ts';
import { FIXTURES_DIR, fixturePath, readFixtureText } from '../../helpers/fixtures.ts';
import { inputErrorOf } from '../../helpers/input-error.ts';

/** Every Trivy JSON report under ../shared/fixtures/scans (the sliced path is tried on what starts with SchemaVersion). */
function trivyFixtures(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.json') && readFixtureText(relative(FIXTURES_DIR, path)).slice(0, 4096).includes('"SchemaVersion"')) found.push(relative(FIXTURES_DIR, path));
    }
  };
  walk(fixturePath('scans'));
  return found.sort();
}

/**
 * The sliced path, over the report in memory and over the same bytes read in small chunks (as a
 * file is, with refills and a growing window); both must agree.
 */
function readTrivyInSlices(file: string, text: string | Uint8Array): ReturnType<typeof readInSlices> {
  const bytes = typeof text === 'string' ? Buffer.from(text) : Buffer.from(text.buffer, text.byteOffset, text.byteLength);
  const whole = readInSlices(file, ByteWindow.of(bytes));
  for (const chunkBytes of [1024, 7 * 1024]) {
    const reads: number[] = [];
    const inChunks = readInSlices(file, ByteWindow.reading(bytes.length, chunkReader(bytes, reads), chunkBytes));
    expect(inChunks).toEqual(whole);
    // Never more than two windows of what one piece needs: the bytes are not all held at once.
    if (bytes.length > 1_000_000) expect(Math.max(...reads)).toBeLessThan(256 * 1024);
  }
  return whole;
}

/** Reads from `bytes` as fs.readSync reads a file, noting each read's length. */
function chunkReader(bytes: Buffer, reads: number[]): ReadBytes {
  return (into, at, length, position) => {
    const count = bytes.copy(into, at, position, Math.min(bytes.length, position + length));
    reads.push(count);
    return count;
  };
}

/** The ordinary path: the whole document parsed, then read. */
const readWhole = (file: string, text: string) => readTrivyJson(file, JSON.parse(text) as Record<string, unknown>);
const hasSlicedArray = (text: string): boolean => /"(Vulnerabilities|Packages)": \[\n/.test(text);

describe('src/readers/fast/trivy-slices', () => {
  const fixtures = trivyFixtures();

  it('finds the real Trivy reports', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(15);
  });

  it.each(fixtures)('reads %s in slices exactly as the whole document', (fixture) => {
    const text = readFixtureText(fixture);

    const sliced = readTrivyInSlices(fixture, text);

    if (hasSlicedArray(text)) expect(sliced).toBeDefined();
    if (sliced !== undefined) expect(sliced).toEqual(readWhole(fixture, text));
  });

  it('reads the generated bench report (several results, packages and vulnerabilities, many slices) as the whole document', () => {
    const text = generateTrivyReport({ vulnerabilities: 3000, packages: 700 });

    const sliced = readTrivyInSlices('generated.json', text);

    expect(sliced).toBeDefined();
    expect(sliced!.vulnerabilities).toHaveLength(3000);
    expect(sliced!.packages).toHaveLength(700);
    expect(sliced).toEqual(readWhole('generated.json', text));
  });

  it('leaves minified JSON, and reports that are not Trivy, to the ordinary path', () => {
    const text = generateTrivyReport({ vulnerabilities: 50, packages: 10 });

    expect(readTrivyInSlices('min.json', JSON.stringify(JSON.parse(text)))).toBeUndefined();
    expect(readTrivyInSlices('grype.json', readFixtureText('scans/grype/many_vulns3.json'))).toBeUndefined();
  });

  it('leaves a report whose indentation lies to the ordinary path', () => {
    const text = generateTrivyReport({ vulnerabilities: 200, packages: 40 });
    // The first vulnerability's closing brace is moved to another indentation: slices no longer parse where they are cut.
    const shifted = text.replace('\n      "Vulnerabilities": [\n        {', '\n      "Vulnerabilities": [\n {');

    const sliced = readTrivyInSlices('shifted.json', shifted);

    if (sliced !== undefined) expect(sliced).toEqual(readWhole('shifted.json', shifted));
    expect(readReport('shifted.json', Buffer.from(shifted))).toEqual(readWhole('shifted.json', shifted));
  });

  it('does not take a quoted marker for a sliced array', () => {
    const text = generateTrivyReport({ vulnerabilities: 100, packages: 20 });
    // A result whose Vulnerabilities is a string that looks like the marker of the first slice.
    const forged = text.replace('"Results": [\n', '"Results": [\n    {"Target": "x", "Vulnerabilities": "\\u0000image-assurance:slice:0"},\n');

    expect(readTrivyInSlices('forged.json', forged)).toBeUndefined();
    const forgedArray = text.replace('"Results": [\n', '"Results": [\n    {"Target": "x", "Vulnerabilities": ["\\u0000image-assurance:slice:0"]},\n');
    expect(readTrivyInSlices('forged.json', forgedArray)).toBeUndefined();
    expect(inputErrorOf(() => readReport('forged.json', Buffer.from(forged))).problems).toEqual([
      { file: 'forged.json', message: 'Results[0].Vulnerabilities: expected an array (got the string "\\u0000image-assurance:slice:0")' },
    ]);
  });

  it('words a bad item as the ordinary path does, with its JSON path', () => {
    const text = generateTrivyReport({ vulnerabilities: 100, packages: 20 }).replace('"PkgName": "pkg-1-5"', '"PkgName": 5');

    expect(readTrivyInSlices('bad.json', text)).toBeUndefined();
    const error = inputErrorOf(() => readReport('bad.json', Buffer.from(text)));
    expect(error.problems[0]!.message).toMatch(/^Results\[1\]\.Vulnerabilities\[\d+\]\.PkgName: expected a string \(got number 5\)$/);
  });
});

describe('src/readers/fast/trivy-slices on arbitrary reports (fast-check)', () => {
  // Text that JSON escapes or that looks like a cut: quotes, backslashes, line breaks, the
  // indentation and braces of an item end, and characters of two, three and four UTF-8 bytes.
  const tricky = fc.constantFrom('"', '\\', '\n', '\n        },', '\n      ]', '": [\n', ' ', 'é', '€', '𝄞', '\u2028', 'a', 'CVE-');
  const text = (maxLength: number) => fc.array(fc.oneof(tricky, fc.string({ maxLength: 8 })), { maxLength }).map((parts) => parts.join(''));
  const vulnerability = fc.record({
    VulnerabilityID: fc.constantFrom('CVE-2024-1234', 'GHSA-aaaa-bbbb-cccc', 'cve-2024-1234'),
    PkgName: fc.constantFrom('lodash', 'openssl', 'log4j-core'),
    InstalledVersion: fc.constantFrom('1.0.0', '2.4.2', ''),
    FixedVersion: fc.constantFrom('', '1.0.1'),
    Severity: fc.constantFrom('CRITICAL', 'HIGH', 'LOW', 'UNKNOWN'),
    Title: text(6),
    Description: text(400),
  });
  const pkg = fc.record({ Name: fc.constantFrom('lodash', 'openssl', 'zlib'), Version: fc.constantFrom('1.0.0', '2.0'), Licenses: fc.array(fc.constantFrom('MIT', 'GPL-3.0-only'), { maxLength: 2 }) });
  const result = fc.record(
    { Target: text(3), Class: fc.constantFrom('os-pkgs', 'lang-pkgs'), Type: fc.constantFrom('debian', 'npm'), Packages: fc.array(pkg, { maxLength: 12 }), Vulnerabilities: fc.array(vulnerability, { maxLength: 40 }) },
    { requiredKeys: ['Target', 'Class', 'Type'] },
  );
  const report = fc.record({ SchemaVersion: fc.constant(2), ArtifactName: fc.constant('example.test/app:1'), ArtifactType: fc.constant('container_image'), Results: fc.array(result, { minLength: 1, maxLength: 4 }) });

  it('reads what it reads exactly as the whole document, in memory and in chunks of any size', () => {
    let sliced = 0;
    fc.assert(
      fc.property(report, fc.integer({ min: 1, max: 70_000 }), (doc, chunkBytes) => {
        // Go's MarshalIndent writes two spaces, as JSON.stringify(…, null, 2) does.
        const bytes = Buffer.from(JSON.stringify(doc, null, 2));
        const whole = readInSlices('arbitrary.json', ByteWindow.of(bytes));
        const inChunks = readInSlices('arbitrary.json', ByteWindow.reading(bytes.length, chunkReader(bytes, []), chunkBytes));

        expect(inChunks).toEqual(whole);
        if (whole !== undefined) {
          sliced += 1;
          expect(whole).toEqual(readWhole('arbitrary.json', bytes.toString('utf8')));
        }
      }),
      { numRuns: 60, seed: 20261201 },
    );
    // Most arbitrary reports take the sliced path (one without any sliced array does not).
    expect(sliced).toBeGreaterThan(30);
  });
});
