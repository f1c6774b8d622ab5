import { InputError } from '../errors.ts';
import type { Report } from '../model/report.ts';
import { canonicalUtcTime } from './fast/iso-time.ts';

/**
 * Hand validation for third-party reports. Hot loops (Trivy, Grype) check types inline and call
 * `fieldError` only on the failure path, so building the JSON path costs nothing when all is well.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Results[2].Vulnerabilities[14].VulnerabilityID: expected a string`, naming the file. */
export function fieldError(file: string, jsonPath: string, expected: string, ...actual: [] | [unknown]): InputError {
  const got = actual.length > 0 ? ` (got ${describeValue(actual[0])})` : '';
  return new InputError({ file, message: `${jsonPath}: expected ${expected}${got}` });
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value === '' ? 'an empty string' : `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/** A required non-empty string. */
export function requireString(file: string, value: unknown, jsonPath: string): string {
  if (typeof value !== 'string' || value === '') throw fieldError(file, jsonPath, 'a non-empty string', value);
  return value;
}

/** A string when present; `undefined` for a missing or null field; anything else is an error. */
export function optionalString(file: string, value: unknown, jsonPath: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw fieldError(file, jsonPath, 'a string', value);
  return value;
}

/** A number when present; anything but a finite number, null or nothing is an error. */
export function optionalNumber(file: string, value: unknown, jsonPath: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw fieldError(file, jsonPath, 'a number', value);
  return value;
}

/** An array when present (missing or null = empty). */
export function optionalArray(file: string, value: unknown, jsonPath: string): readonly unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw fieldError(file, jsonPath, 'an array', value);
  return value;
}

export function requireArray(file: string, value: unknown, jsonPath: string): readonly unknown[] {
  if (!Array.isArray(value)) throw fieldError(file, jsonPath, 'an array', value);
  return value;
}

export function requireObject(file: string, value: unknown, jsonPath: string): JsonObject {
  if (!isObject(value)) throw fieldError(file, jsonPath, 'an object', value);
  return value;
}

export function optionalObject(file: string, value: unknown, jsonPath: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw fieldError(file, jsonPath, 'an object', value);
  return value;
}

/** An array of strings when present. */
export function optionalStringArray(file: string, value: unknown, jsonPath: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw fieldError(file, jsonPath, 'an array of strings', value);
  for (let i = 0; i < value.length; i += 1) {
    if (typeof value[i] !== 'string') throw fieldError(file, `${jsonPath}[${i}]`, 'a string', value[i]);
  }
  return value as string[];
}

/** A label map: string values only (labels feed policy scopes). */
export function optionalLabels(file: string, value: unknown, jsonPath: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw fieldError(file, jsonPath, 'an object of string labels', value);
  const labels: Record<string, string> = {};
  for (const key of Object.keys(value)) {
    const label = value[key];
    if (typeof label !== 'string') throw fieldError(file, `${jsonPath}[${JSON.stringify(key)}]`, 'a string', label);
    labels[key] = label;
  }
  return labels;
}

/** `repo@sha256:…` → `sha256:…`; undefined when there is no `@`. */
export function digestOf(repoDigest: string): string | undefined {
  const at = repoDigest.lastIndexOf('@');
  return at < 0 ? undefined : repoDigest.slice(at + 1);
}

/** CVSS version from a vector prefix, else the fallback: `CVSS:3.0/…` → `3.0`, `CVSS:4.0/…` → `4.0`. */
export function cvssVersionOf(vector: string | undefined, fallback: string): string {
  if (vector !== undefined && vector.startsWith('CVSS:')) {
    const slash = vector.indexOf('/');
    const version = vector.slice(5, slash < 0 ? undefined : slash);
    if (version !== '') return version;
  }
  return fallback;
}

/** The finding lists of a Report, all empty. */
export function emptyFindings(): Pick<Report, 'packages' | 'vulnerabilities' | 'secrets' | 'checks' | 'licenses' | 'malware' | 'oval'> {
  return { packages: [], vulnerabilities: [], secrets: [], checks: [], licenses: [], malware: [], oval: [] };
}

/**
 * An ISO 8601 date or time when present (`2021-08-25T12:20:30.000000005Z`, `2019-10-21T17:15:00+00:00`),
 * as a UTC ISO string; missing or null is `undefined`; anything else is an error (attribution reads it).
 */
export function optionalTime(file: string, value: unknown, jsonPath: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const fast = typeof value === 'string' ? canonicalUtcTime(value) : undefined;
  if (fast !== undefined) return fast;
  const time = typeof value === 'string' && ISO_DATE_START.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw fieldError(file, jsonPath, 'an ISO 8601 date or time', value);
  return new Date(time).toISOString();
}

const ISO_DATE_START = /^\d{4}-\d{2}-\d{2}/;
