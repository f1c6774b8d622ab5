import { InputError } from '../../errors.ts';
import type { Malware, Report } from '../../model/report.ts';
import { emptyFindings } from '../fields.ts';

const SUMMARY_HEADER = '----------- SCAN SUMMARY -----------';
const FOUND_SUFFIX = ' FOUND';

/** True when `text` reads like `clamscan` output: a FOUND or OK line, or the scan summary block. */
export function isClamscanLog(text: string): boolean {
  if (text.includes(SUMMARY_HEADER)) return true;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const separator = line.lastIndexOf(': ');
    if (separator > 0 && (line.endsWith(FOUND_SUFFIX) || line.endsWith(': OK'))) return true;
  }
  return false;
}

/**
 * A `clamscan` log: `PATH: SIGNATURE FOUND` lines are malware. A log with no FOUND line counts only
 * when it is recognizably clamscan output, and the summary's `Infected files: N` must agree with
 * the files the FOUND lines name (fail closed: a truncated log must not pass).
 */
export function readClamavLog(file: string, text: string): Report {
  const malware: Malware[] = [];
  let infected: { count: number; line: number } | undefined;
  let hasSummary = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === SUMMARY_HEADER) hasSummary = true;
    if (line.endsWith(FOUND_SUFFIX)) {
      const separator = line.lastIndexOf(': ', line.length - FOUND_SUFFIX.length);
      if (separator <= 0) throw new InputError({ file, line: i + 1, col: 1, message: 'a FOUND line without "PATH: SIGNATURE"' });
      const signature = line.slice(separator + 2, line.length - FOUND_SUFFIX.length).trim();
      if (signature === '') throw new InputError({ file, line: i + 1, col: separator + 3, message: 'a FOUND line without a signature' });
      malware.push({ path: line.slice(0, separator), signature });
      continue;
    }
    if (line.startsWith('Infected files:')) {
      const value = line.slice('Infected files:'.length).trim();
      if (!/^\d+$/.test(value)) throw new InputError({ file, line: i + 1, col: 16, message: `Infected files: expected a number, got "${value}"` });
      infected = { count: Number(value), line: i + 1 };
    }
  }
  if (malware.length === 0 && !isClamscanLog(text)) {
    throw new InputError({ file, message: 'not a recognized clamscan log: no FOUND or OK lines and no SCAN SUMMARY block' });
  }
  if (hasSummary && infected === undefined) {
    throw new InputError({ file, message: 'the clamscan SCAN SUMMARY has no "Infected files:" line' });
  }
  // `Infected files` counts files; with --allmatch one file has a FOUND line per signature.
  const infectedFiles = new Set(malware.map((found) => found.path)).size;
  if (infected !== undefined && infected.count !== infectedFiles) {
    throw new InputError({
      file,
      line: infected.line,
      col: 1,
      message: `the summary says Infected files: ${infected.count}, but the log names ${infectedFiles} infected file(s) in FOUND lines; the log may be truncated`,
    });
  }
  return { path: file, format: 'clamav-log', tool: 'clamav', ...emptyFindings(), malware };
}
