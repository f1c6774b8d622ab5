import { checkCel } from '../engine/cel.ts';
import { checkVersionRange } from '../engine/version.ts';
import { InputError } from '../errors.ts';
import type { Problem } from '../errors.ts';
import { describeIssues } from './describe-issues.ts';
import { readYaml } from './read-yaml.ts';
import type { Position, YamlWithPositions } from './read-yaml.ts';
import { defaultSettings, PolicyFile } from './schema.ts';
import type { LoadedException, LoadedPolicy, PolicyOrigin, PolicySet, ResolvedSettings, Settings } from './schema.ts';

/**
 * The policy file (SPEC §2): text → validated PolicyFile with every problem at file:line:col, and
 * a set of root files → the PolicySet that applies after `extends` is resolved. Pure: files come
 * in as text and `extends` goes through the resolver the caller passes.
 */

/** A policy file is a page of YAML; anything far larger is a mistake or an attack on the parser. */
export const MAX_POLICY_FILE_CHARS = 1_000_000;

export interface PolicySource {
  /** The name shown to users: `.github/image-assurance.yml`, `org:acme/.github/.github/image-assurance.yml`, `preset:production`. */
  file: string;
  text: string;
  origin: PolicyOrigin;
}

/** Finds the file an `extends` entry names (`org` or `preset:NAME`); `undefined` when there is none. */
export type ExtendsResolver = (ref: string, from: PolicySource) => Promise<PolicySource | undefined>;

/** Parses and validates one policy file. Throws InputError listing every problem found. */
export function parsePolicyFile(source: PolicySource): PolicyFile {
  const parsed = readPolicySource(source);
  if ('problems' in parsed) throw new InputError(parsed.problems);
  return parsed.policyFile;
}

interface ParsedSource {
  source: PolicySource;
  policyFile: PolicyFile;
  yaml: YamlWithPositions;
}

function readPolicySource(source: PolicySource): ParsedSource | { problems: Problem[] } {
  if (source.text.length > MAX_POLICY_FILE_CHARS) {
    return { problems: [{ file: source.file, message: `the policy file is ${source.text.length} characters long; at most ${MAX_POLICY_FILE_CHARS} are read` }] };
  }
  const yaml = readYaml(source.file, source.text);
  if (yaml.problems.length > 0) return { problems: sortProblems(yaml.problems) };
  if (yaml.data === null || yaml.data === undefined) {
    return { problems: [{ file: source.file, line: 1, col: 1, message: 'the policy file is empty; it needs at least `version: 1`' }] };
  }

  const result = PolicyFile.safeParse(yaml.data);
  const problems = [...(result.success ? [] : describeIssues(result.error.issues, PolicyFile, yaml)), ...checkNamesAndCel(yaml)];
  if (problems.length > 0 || !result.success) return { problems: sortProblems(problems) };
  return { source, policyFile: result.data, yaml };
}

/**
 * What the schema cannot say: policy names unique in the file, custom rule names unique in a
 * policy, `when` a valid CEL expression, and a `packages.deny` version a valid range. Runs on the raw data so that these problems are
 * reported together with the schema's.
 */
function checkNamesAndCel(yaml: YamlWithPositions): Problem[] {
  const problems: Problem[] = [];
  const policies = listAt(yaml.data, 'policies');
  const policyNames = new Map<string, Position>();
  policies.forEach((policy, index) => {
    const name = stringAt(policy, 'name');
    if (name !== undefined) {
      const first = policyNames.get(name);
      const position = yaml.positionOf(['policies', index, 'name']);
      if (first) {
        problems.push({ file: yaml.file, ...position, message: `duplicate policy name '${name}' (first defined at line ${first.line}); policy names must be unique` });
      } else {
        policyNames.set(name, position);
      }
    }
    const rules = isRecord(policy) ? policy.rules : undefined;
    const ruleNames = new Map<string, Position>();
    listAt(rules, 'custom').forEach((rule, ruleIndex) => {
      const path = ['policies', index, 'rules', 'custom', ruleIndex];
      const ruleName = stringAt(rule, 'name');
      if (ruleName !== undefined) {
        const first = ruleNames.get(ruleName);
        const position = yaml.positionOf([...path, 'name']);
        if (first) {
          problems.push({ file: yaml.file, ...position, message: `duplicate custom rule name '${ruleName}' in policy '${name ?? index}' (first defined at line ${first.line})` });
        } else {
          ruleNames.set(ruleName, position);
        }
      }
      const when = stringAt(rule, 'when');
      if (when === undefined || when.trim() === '') return;
      const problem = checkCel(when);
      if (problem) {
        problems.push({
          file: yaml.file,
          ...yaml.positionInString([...path, 'when'], problem.offset ?? 0),
          message: `invalid CEL expression in custom rule '${ruleName ?? ruleIndex}': ${problem.message}`,
        });
      }
    });
    listAt(isRecord(rules) ? rules.packages : undefined, 'deny').forEach((entry, entryIndex) => {
      const version = stringAt(entry, 'version');
      if (version === undefined || version === '') return;
      const problem = checkVersionRange(version);
      if (problem) problems.push({ file: yaml.file, ...yaml.positionOf(['policies', index, 'rules', 'packages', 'deny', entryIndex, 'version']), message: problem });
    });
  });
  return problems;
}

/**
 * Resolves `extends` from the root files (the repository's file; the CLI may pass several) and
 * returns everything that applies. Each file is read once even when several files extend it.
 * A policy's owner is the top-level file that brought it in: the organization's file owns itself
 * and everything it extends (even when the repository also extends it), a root owns the rest.
 */
export async function loadPolicySet(roots: readonly PolicySource[], resolve: ExtendsResolver): Promise<PolicySet> {
  const problems: Problem[] = [];
  const files = new Map<string, ParsedSource>();
  const children = new Map<string, string[]>();
  const order: string[] = [];
  const resolved = new Map<string, Promise<PolicySource | undefined>>();

  async function resolveOnce(ref: string, from: PolicySource): Promise<PolicySource | undefined> {
    // `org` is the same file from anywhere; a preset too. Fetch each once.
    let pending = resolved.get(ref);
    if (!pending) {
      pending = resolve(ref, from);
      resolved.set(ref, pending);
    }
    return pending;
  }

  async function visit(source: PolicySource, stack: readonly string[]): Promise<void> {
    const parsed = readPolicySource(source);
    if ('problems' in parsed) {
      problems.push(...parsed.problems);
      return;
    }
    files.set(source.file, parsed);
    const edges: string[] = [];
    children.set(source.file, edges);
    const refs = parsed.policyFile.extends ?? [];
    for (const [index, ref] of refs.entries()) {
      const at = { file: source.file, ...parsed.yaml.positionOf(['extends', index]) };
      if (refs.indexOf(ref) !== index) {
        problems.push({ ...at, message: `'${ref}' is already listed in extends` });
        continue;
      }
      if (source.origin === 'preset' && ref === 'org') {
        problems.push({ ...at, message: 'a preset can extend only other presets, not org' });
        continue;
      }
      let target: PolicySource | undefined;
      try {
        target = await resolveOnce(ref, source);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        // The resolver knows what is missing, we know where it was asked for.
        problems.push(...error.problems.map((problem) => (problem.line === undefined && problem.file === source.file ? { ...at, message: problem.message } : problem)));
        continue;
      }
      if (!target) {
        problems.push({ ...at, message: `extends: '${ref}' cannot be found` });
        continue;
      }
      const cycleStart = stack.indexOf(target.file);
      if (cycleStart >= 0 || target.file === source.file) {
        const cycle = cycleStart >= 0 ? [...stack.slice(cycleStart), source.file, target.file] : [source.file, target.file];
        problems.push({ ...at, message: `extends cycle: ${cycle.join(' → ')}` });
        continue;
      }
      edges.push(target.file);
      if (files.has(target.file) || stack.includes(target.file)) continue;
      await visit(target, [...stack, source.file]);
    }
    if (!order.includes(source.file)) order.push(source.file);
  }

  for (const root of roots) {
    // Already read, given twice or extended by an earlier root: it applies once.
    if (files.has(root.file)) continue;
    await visit(root, []);
  }
  if (problems.length > 0) throw new InputError(dedupeProblems(problems));

  const owners = assignOwners(roots, files, children);
  const set = assemble(order.map((file) => files.get(file)!), owners);
  if (set.problems.length > 0) throw new InputError(set.problems);
  return set.policySet;
}

/** The organization's file owns itself and all it extends; each root then owns what is left of its tree. */
function assignOwners(roots: readonly PolicySource[], files: Map<string, ParsedSource>, children: Map<string, string[]>): Map<string, string> {
  const owners = new Map<string, string>();
  function claim(file: string, owner: string): void {
    if (owners.has(file)) return;
    owners.set(file, owner);
    for (const child of children.get(file) ?? []) claim(child, owner);
  }
  for (const [file, parsed] of files) {
    if (parsed.source.origin === 'org') claim(file, file);
  }
  for (const root of roots) claim(root.file, root.file);
  return owners;
}

interface Placed<T> {
  value: T;
  file: ParsedSource;
  index: number;
}

function assemble(ordered: readonly ParsedSource[], owners: Map<string, string>): { policySet: PolicySet; problems: Problem[] } {
  const problems: Problem[] = [];
  const isOrgOwned = (file: string): boolean => owners.get(file) !== undefined && ownerOrigin(owners.get(file)!, ordered) === 'org';

  const policies: LoadedPolicy[] = [];
  const byName = new Map<string, Placed<LoadedPolicy>>();
  for (const file of ordered) {
    const owner = owners.get(file.source.file)!;
    file.policyFile.policies.forEach((policy, index) => {
      const loaded: LoadedPolicy = { ...policy, source: file.source.file, owner, origin: file.source.origin };
      const earlier = byName.get(policy.name);
      if (!earlier) {
        byName.set(policy.name, { value: loaded, file, index });
        policies.push(loaded);
        return;
      }
      problems.push(describeClash(policy.name, earlier, { value: loaded, file, index }, isOrgOwned));
    });
  }

  const exceptions: LoadedException[] = [];
  for (const file of ordered) {
    const owner = owners.get(file.source.file)!;
    file.policyFile.exceptions.forEach((exception, index) => {
      exceptions.push({ ...exception, source: file.source.file, owner });
      (exception.policies ?? []).forEach((name, nameIndex) => {
        const target = byName.get(name);
        if (target?.value.owner === owner) return;
        const at = { file: file.source.file, ...file.yaml.positionOf(['exceptions', index, 'policies', nameIndex]) };
        const mine = policies.filter((policy) => policy.owner === owner).map((policy) => policy.name);
        const known = mine.length > 0 ? mine.join(', ') : 'none';
        problems.push({
          ...at,
          message: target
            ? `exception '${exception.id}' names policy '${name}' of ${target.value.owner}, which this file cannot waive; its own policies: ${known}`
            : `exception '${exception.id}' names an unknown policy '${name}'; this file's policies: ${known}`,
        });
      });
    });
  }

  const settings = resolveSettings(ordered, isOrgOwned);
  const vex = ordered.flatMap((file) => {
    const globs = file.policyFile.settings?.vex;
    return globs === undefined ? [] : [{ source: file.source.file, isOrg: isOrgOwned(file.source.file), globs: [...globs] }];
  });
  return { policySet: { settings, vex, policies, exceptions, sources: ordered.map((file) => file.source.file) }, problems };
}

function ownerOrigin(owner: string, ordered: readonly ParsedSource[]): PolicyOrigin | undefined {
  return ordered.find((file) => file.source.file === owner)?.source.origin;
}

function describeClash(name: string, earlier: Placed<LoadedPolicy>, later: Placed<LoadedPolicy>, isOrgOwned: (file: string) => boolean): Problem {
  const isEarlierOrg = isOrgOwned(earlier.value.source);
  const isLaterOrg = isOrgOwned(later.value.source);
  // Point at the file that can change: the repository's side of a clash with the organization.
  const [kept, offending] = isLaterOrg && !isEarlierOrg ? [later, earlier] : [earlier, later];
  const at = { file: offending.value.source, ...offending.file.yaml.positionOf(['policies', offending.index, 'name']) };
  if (isOrgOwned(kept.value.source) && !isOrgOwned(offending.value.source)) {
    return {
      ...at,
      message: `policy '${name}' is already defined by the organization (${kept.value.source}); a repository file can add policies but never redefine or weaken the organization's: choose another name`,
    };
  }
  const where = kept.file.yaml.positionOf(['policies', kept.index, 'name']);
  return { ...at, message: `policy '${name}' is already defined in ${kept.value.source}:${where.line}:${where.col}; policy names must be unique across a file and all it extends` };
}

/** Stricter last: `[loose, strict]`. */
const FLOOR_ORDER = {
  forks: ['trusted', 'untrusted'],
  missing_scan: ['ignore', 'fail'],
  unscoped_images: ['allow', 'block'],
  workflow_changes: ['trusted', 'reviewed', 'untrusted'],
} as const;
type FloorKey = keyof typeof FLOOR_ORDER;

/**
 * Later files in `extends` order override earlier ones. The security settings the organization's
 * files set explicitly are a floor: a repository file may make them stricter, never looser.
 */
function resolveSettings(ordered: readonly ParsedSource[], isOrgOwned: (file: string) => boolean): ResolvedSettings {
  const settings = defaultSettings();
  const floor: Settings = {};
  const scanWorkflowFloors: string[][] = [];
  let scanWorkflows: string[] | undefined;
  for (const file of ordered) {
    const given = file.policyFile.settings ?? {};
    if (given.artifacts) settings.artifacts = [...given.artifacts];
    if (given.check_name !== undefined) settings.check_name = given.check_name;
    if (given.comment !== undefined) settings.comment = given.comment;
    if (given.forks !== undefined) settings.forks = given.forks;
    if (given.missing_scan !== undefined) settings.missing_scan = given.missing_scan;
    if (given.unscoped_images !== undefined) settings.unscoped_images = given.unscoped_images;
    if (given.workflow_changes !== undefined) settings.workflow_changes = given.workflow_changes;
    // Protected paths add up across files: no file can remove another's (the organization's).
    for (const path of given.protected_paths ?? []) if (!settings.protected_paths.includes(path)) settings.protected_paths.push(path);
    if (given.vex_max_age_days !== undefined) settings.vex_max_age_days = given.vex_max_age_days;
    if (given.scan_workflows) scanWorkflows = [...given.scan_workflows];
    if (isOrgOwned(file.source.file)) {
      if (given.scan_workflows) scanWorkflowFloors.push([...given.scan_workflows]);
      if (given.vex_max_age_days !== undefined) floor.vex_max_age_days = given.vex_max_age_days;
      if (given.forks !== undefined) floor.forks = given.forks;
      if (given.missing_scan !== undefined) floor.missing_scan = given.missing_scan;
      if (given.unscoped_images !== undefined) floor.unscoped_images = given.unscoped_images;
      if (given.workflow_changes !== undefined) floor.workflow_changes = given.workflow_changes;
    }
  }
  settings.forks = stricter('forks', settings.forks, floor.forks);
  settings.missing_scan = stricter('missing_scan', settings.missing_scan, floor.missing_scan);
  settings.unscoped_images = stricter('unscoped_images', settings.unscoped_images, floor.unscoped_images);
  settings.workflow_changes = stricter('workflow_changes', settings.workflow_changes, floor.workflow_changes);
  // Every organization list holds, and so does the last file's own: a repository narrows, never widens.
  const isFloor = (list: string[]) => scanWorkflowFloors.some((floorList) => floorList.join('\n') === list.join('\n'));
  settings.scan_workflows = [...scanWorkflowFloors, ...(scanWorkflows && !isFloor(scanWorkflows) ? [scanWorkflows] : [])];
  // The organization's VEX age is a ceiling: a repository may trust statements for less time, never longer.
  if (floor.vex_max_age_days !== undefined) settings.vex_max_age_days = Math.min(settings.vex_max_age_days, floor.vex_max_age_days);
  return settings;
}

function stricter<K extends FloorKey>(key: K, value: ResolvedSettings[K], floor: ResolvedSettings[K] | undefined): ResolvedSettings[K] {
  if (floor === undefined) return value;
  const order: readonly string[] = FLOOR_ORDER[key];
  return order.indexOf(floor) > order.indexOf(value) ? floor : value;
}

function listAt(data: unknown, key: string): unknown[] {
  const value = isRecord(data) ? data[key] : undefined;
  return Array.isArray(value) ? value : [];
}

function stringAt(data: unknown, key: string): string | undefined {
  const value = isRecord(data) ? data[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

/** Several files may fail the same way (one preset extended twice): report each place once, per file in order. */
function dedupeProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.file}:${problem.line}:${problem.col}:${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
