import { Buffer } from 'node:buffer';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { InputError, type Problem } from '../errors.ts';
import type { Report } from '../model/report.ts';
import type { PolicySource } from '../policy/load.ts';
import { loadPreset } from '../policy/load-presets.ts';
import { decodeReport, MAX_REPORT_BYTES, readReport, readReportText, readTrivyReportInChunks } from '../readers/index.ts';
import { readVexDocument } from '../vex/index.ts';
import type { VexDocument } from '../vex/schema.ts';

/** The CLI's file I/O: policy files and reports from disk. Pure parsing happens in policy/ and readers/. */

export const DEFAULT_POLICY_FILE = '.github/image-assurance.yml';

export function loadPolicySource(ref: string, cwd: string): PolicySource {
  if (ref.startsWith('preset:')) {
    const preset = loadPreset(ref.slice('preset:'.length));
    if (!preset) throw new InputError({ file: 'command line', message: `unknown preset "${ref}"` });
    return preset;
  }
  return { file: ref, text: readText(ref, cwd), origin: 'cli' };
}

function readText(file: string, cwd: string): string {
  const path = resolve(cwd, file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new InputError({ file, message: describeFsError(error) }, { cause: error });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new InputError({ file, message: 'not a text file (invalid UTF-8)' }, { cause: error });
  }
}

/**
 * Reads every report under the given files and folders (folders recursively, in name order).
 * Collects the problems of all files before failing, so one run names every bad report.
 */
export function loadReports(paths: readonly string[], cwd: string, options: { stdin?: Uint8Array } = {}): Report[] {
  const reports: Report[] = [];
  const problems: Problem[] = [];
  for (const file of listReportFiles(paths, cwd, problems)) {
    try {
      reports.push(file === STDIN ? readStdinReport(options.stdin) : readReportFile(file, cwd));
    } catch (error) {
      if (error instanceof InputError) problems.push(...error.problems);
      else throw error;
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return reports;
}

/**
 * Reads every VEX document under the given files and folders (`--vex`), collecting the problems
 * of all files before failing, as loadReports does.
 */
export function loadVexDocuments(paths: readonly string[], cwd: string): VexDocument[] {
  const documents: VexDocument[] = [];
  const problems: Problem[] = [];
  for (const file of listReportFiles(paths, cwd, problems)) {
    if (file === STDIN) {
      problems.push({ file: 'command line', message: '--vex - is not read: standard input is for --report -; name the VEX files' });
      continue;
    }
    try {
      documents.push(readVexDocument(file, readFileSync(resolve(cwd, file))));
    } catch (error) {
      if (error instanceof InputError) problems.push(...error.problems);
      else throw error;
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return documents;
}

/** `--report -`: the report comes on standard input. */
export const STDIN = '-';
/** What a report read from standard input is called in messages and the verdict. */
export const STDIN_NAME = '(stdin)';

function readStdinReport(bytes: Uint8Array | undefined): Report {
  if (bytes === undefined) throw new InputError({ file: STDIN_NAME, message: 'standard input was not read (internal error)' });
  return readReport(STDIN_NAME, bytes);
}

/**
 * Reads standard input to its end for `--report -`, refusing more than a report may hold.
 * Without a standard input (none was given to the command) it is an input error.
 */
export async function readStdin(stdin: AsyncIterable<Uint8Array | string> | undefined): Promise<Uint8Array> {
  if (stdin === undefined) throw new InputError({ file: 'command line', message: '--report - reads standard input, but there is none' });
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    size += bytes.byteLength;
    if (size > MAX_REPORT_BYTES) {
      throw new InputError({ file: STDIN_NAME, message: `the report on standard input is over the ${formatMegabytes(MAX_REPORT_BYTES)} limit` });
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

function readReportFile(file: string, cwd: string): Report {
  const path = resolve(cwd, file);
  const size = statSync(path).size;
  if (size > MAX_REPORT_BYTES) {
    throw new InputError({
      file,
      message: `report is ${formatMegabytes(size)}, over the ${formatMegabytes(MAX_REPORT_BYTES)} limit`,
    });
  }
  if (size < LARGE_REPORT_BYTES) return readReport(file, readFileSync(path));
  // A large Trivy report is read a chunk at a time and never lies in memory whole.
  const inChunks = readInChunks(file, path, size);
  if (inChunks !== undefined) return inChunks;
  const text = decodeReportFile(file, path);
  // V8 frees a large file's bytes only at its next full collection, which a single report seldom
  // triggers: without this, bytes, text, parsed document and normalized report all peak together.
  releaseGarbage();
  return readReportText(file, text);
}

function readInChunks(file: string, path: string, size: number): Report | undefined {
  const fd = openSync(path, 'r');
  try {
    return readTrivyReportInChunks(file, size, (into, at, length, position) => readSync(fd, into, at, length, position));
  } finally {
    closeSync(fd);
  }
}

/** Bytes → text in a frame of its own, so that nothing on the caller's frame still holds the bytes. */
function decodeReportFile(file: string, path: string): string {
  return decodeReport(file, readFileSync(path));
}

/** Reports at least this large are read in chunks when they can be, else have their raw bytes released before they are parsed. */
const LARGE_REPORT_BYTES = 32 * 1024 * 1024;

let collect: (() => void) | undefined;

/** A full garbage collection, through V8's `gc` exposed once on demand (as `node --expose-gc` would). */
function releaseGarbage(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}

function listReportFiles(paths: readonly string[], cwd: string, problems: Problem[]): string[] {
  const files: string[] = [];
  for (const given of paths) {
    if (given === STDIN) {
      if (files.includes(STDIN)) problems.push({ file: 'command line', message: '--report - is given more than once: standard input holds one report' });
      else files.push(STDIN);
      continue;
    }
    const path = resolve(cwd, given);
    if (!existsSync(path)) {
      problems.push({ file: given, message: 'no such file or folder' });
      continue;
    }
    if (!statSync(path).isDirectory()) {
      files.push(given);
      continue;
    }
    const found = walk(path).map((file) => relative(cwd, file) || file);
    if (found.length === 0) problems.push({ file: given, message: 'the folder holds no files' });
    files.push(...found);
  }
  return files;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

export function policyFileExists(cwd: string): boolean {
  return existsSync(join(cwd, DEFAULT_POLICY_FILE));
}

function formatMegabytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a folder, expected a file';
  if (code === 'EACCES') return 'permission denied';
  return `cannot be read (${code ?? 'unknown error'})`;
}
