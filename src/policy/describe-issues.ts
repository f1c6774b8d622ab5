import type { z } from 'zod';
import type { Problem } from '../errors.ts';
import type { YamlWithPositions } from './read-yaml.ts';

/**
 * Turns zod issues into problems a person can act on, each at the YAML node it is about:
 * "unknown key 'severty' (expected one of: severity, …)", "expected a number, got a string ("9")",
 * "expected one of: block, warn; got 'blok'". One problem per place; the first issue there wins
 * (a date that fails its format is not also reported as "not a calendar date").
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType, yaml: YamlWithPositions): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const issue of flattenUnions(issues, yaml.data)) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = objectKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        const place = JSON.stringify([...issue.path, key]);
        if (seen.has(place)) continue;
        seen.add(place);
        const expected = allowed.length > 0 ? ` (expected one of: ${allowed.join(', ')})` : '';
        problems.push({ file: yaml.file, ...yaml.positionOfKey(issue.path, key), message: `unknown key '${key}'${expected}` });
      }
      continue;
    }
    const place = JSON.stringify(issue.path);
    if (seen.has(place)) continue;
    seen.add(place);
    if (issue.code === 'invalid_key') {
      // A record's key (a label name) failed: point at the key, say what a key must be.
      const key = String(issue.path.at(-1) ?? '');
      const inner = issue.issues[0];
      const why = inner ? describeIssue({ ...inner, path: issue.path } as Issue, key) : issue.message;
      problems.push({ file: yaml.file, ...yaml.positionOfKey(issue.path.slice(0, -1), key), message: `invalid key "${key}": ${why}` });
      continue;
    }
    const value = valueAt(yaml.data, issue.path);
    problems.push({ file: yaml.file, ...yaml.positionOf(issue.path), message: describeIssue(issue, value) });
  }
  return problems;
}

type Issue = z.core.$ZodIssue;

/**
 * A union's issue says only "invalid input". When the value has the type of one branch (a mapping
 * for `{name, version}`), report that branch's own issues; otherwise say which types would do.
 */
function flattenUnions(issues: readonly Issue[], data: unknown): Issue[] {
  const flat: Issue[] = [];
  for (const issue of issues) {
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) {
      flat.push(issue);
      continue;
    }
    const closer = issue.errors.find((branch) => branch.some((inner) => inner.path.length > 0 || inner.code !== 'invalid_type'));
    if (closer) {
      flat.push(...flattenUnions(closer.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }) as Issue), data));
      continue;
    }
    const expected = issue.errors
      .flat()
      .filter((inner) => inner.code === 'invalid_type')
      .map((inner) => typeName(inner.expected));
    const value = valueAt(data, issue.path);
    flat.push({
      code: 'custom',
      path: issue.path,
      input: value,
      message: `expected ${[...new Set(expected)].join(' or ')}, got ${describeValue(value)}`,
    } as Issue);
  }
  return flat;
}

function describeIssue(issue: Issue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = typeName(issue.expected);
      if (value === undefined) return `missing required key '${String(issue.path.at(-1) ?? '')}' (expected ${expected})`;
      return `expected ${expected}, got ${describeValue(value)}`;
    }
    case 'invalid_value': {
      const allowed = issue.values.map((allowedValue) => String(allowedValue));
      if (value === undefined) return `missing required key '${String(issue.path.at(-1) ?? '')}' (expected ${allowed.join(' or ')})`;
      if (allowed.length === 1) return `expected ${allowed[0]}, got ${describeValue(value)}`;
      return `expected one of: ${allowed.join(', ')}; got ${describeValue(value)}`;
    }
    case 'too_small':
      return describeBound(issue.origin, 'at least', Number(issue.minimum), issue.inclusive ?? true, value);
    case 'too_big':
      return describeBound(issue.origin, 'at most', Number(issue.maximum), issue.inclusive ?? true, value);
    case 'invalid_format':
    case 'custom':
      // Our own schema messages start with "expected …"; add what was found.
      return issue.message.startsWith('expected ') && !issue.message.includes(', got ') ? `${issue.message}, got ${describeValue(value)}` : issue.message;
    default:
      return issue.message;
  }
}

function describeBound(origin: string, relation: 'at least' | 'at most', bound: number, isInclusive: boolean, value: unknown): string {
  if (origin === 'array') {
    if (relation === 'at least' && bound === 1) return 'expected a non-empty list (leave the key out instead)';
    return `expected ${relation} ${bound} entries, got ${Array.isArray(value) ? value.length : 0}`;
  }
  if (origin === 'string') {
    if (relation === 'at least' && bound === 1) return 'expected a non-empty string';
    return `expected ${relation} ${bound} characters, got ${typeof value === 'string' ? value.length : 0}`;
  }
  const operator = relation === 'at least' ? (isInclusive ? '>=' : '>') : isInclusive ? '<=' : '<';
  return `expected a number ${operator} ${bound}, got ${describeValue(value)}`;
}

function typeName(expected: string): string {
  switch (expected) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
    case 'record':
      return 'a mapping';
    default:
      return expected;
  }
}

/** How a found value is named in a message: its YAML type, and the value itself when short. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'nothing (an empty value)';
  if (typeof value === 'string') return `a string ("${value.length > 60 ? `${value.slice(0, 60)}…` : value}")`;
  if (typeof value === 'number') return `a number (${value})`;
  if (typeof value === 'boolean') return `${value ? 'true' : 'false'} (a boolean)`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

interface LooseDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  in?: z.ZodType;
}

function defOf(schema: z.ZodType): LooseDef {
  return schema._zod.def as unknown as LooseDef;
}

/** The keys the object schema at `path` allows, in schema order: for "expected one of". */
function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const candidates = schemasAt(schema, path);
  for (const candidate of candidates) {
    const def = defOf(candidate);
    if (def.type === 'object' && def.shape) return Object.keys(def.shape);
  }
  return [];
}

function schemasAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType[] {
  let current = [schema];
  for (const segment of path) {
    const next: z.ZodType[] = [];
    for (const candidate of current.flatMap(unwrap)) {
      const def = defOf(candidate);
      if (def.type === 'object' && def.shape && typeof segment === 'string' && def.shape[segment]) next.push(def.shape[segment]);
      if (def.type === 'array' && def.element && typeof segment === 'number') next.push(def.element);
      if (def.type === 'record' && def.valueType) next.push(def.valueType);
    }
    current = next;
  }
  return current.flatMap(unwrap);
}

function unwrap(schema: z.ZodType): z.ZodType[] {
  const def = defOf(schema);
  if (def.innerType) return unwrap(def.innerType);
  if (def.type === 'pipe' && def.in) return unwrap(def.in);
  if (def.type === 'union' && def.options) return def.options.flatMap(unwrap);
  return [schema];
}
