import { severityRank, type Severity } from '../model/severity.ts';
import type { LoadedException, LoadedPolicy, PolicySet, ResolvedSettings, Rules, Scope } from './schema.ts';

/**
 * Which parts of a policy change loosen the gate, for the reviewer of the pull request that makes
 * it: a policy removed, an enforcement weakened, a threshold raised or a rule dropped, a new or
 * longer exception, a scope narrowed, a setting made more lenient. Pure: two resolved policy sets in,
 * a list of plain sentences out. A change that tightens the gate is not listed.
 */

export const LOOSENING_KINDS = ['policy-removed', 'enforcement-weakened', 'rule-loosened', 'exception-added', 'scope-narrowed', 'setting-loosened'] as const;
export type LooseningKind = (typeof LOOSENING_KINDS)[number];

export interface Loosening {
  kind: LooseningKind;
  /** The policy it concerns, when it concerns one. */
  policy?: string;
  message: string;
}

export function findLoosenings(base: PolicySet, proposed: PolicySet): Loosening[] {
  const found: Loosening[] = [];
  const proposedByName = new Map(proposed.policies.map((policy) => [policy.name, policy] as const));
  for (const was of base.policies) {
    const now = proposedByName.get(was.name);
    if (now === undefined) {
      found.push({ kind: 'policy-removed', policy: was.name, message: `policy ${was.name} (${was.enforcement}, from ${was.source}) is removed` });
      continue;
    }
    found.push(...enforcementLoosenings(was, now), ...ruleLoosenings(was.name, was.rules, now.rules), ...scopeLoosenings(was.name, was.scope, now.scope));
  }
  found.push(...exceptionLoosenings(base.exceptions, proposed.exceptions), ...settingLoosenings(base.settings, proposed.settings));
  return found;
}

function enforcementLoosenings(was: LoadedPolicy, now: LoadedPolicy): Loosening[] {
  const strength = { block: 2, warn: 1, shadow: 0 } as const;
  if (strength[now.enforcement] < strength[was.enforcement]) {
    return [{ kind: 'enforcement-weakened', policy: was.name, message: `policy ${was.name}: enforcement ${was.enforcement} → ${now.enforcement}` }];
  }
  if (now.enforcement === 'block' && now.enforce_from !== undefined && (was.enforce_from === undefined || now.enforce_from > was.enforce_from)) {
    return [{ kind: 'enforcement-weakened', policy: was.name, message: `policy ${was.name}: blocks only from ${now.enforce_from}${was.enforce_from === undefined ? '' : ` (was ${was.enforce_from})`}` }];
  }
  return [];
}

type ThresholdKey = 'severity' | 'fixable_severity' | 'misconfigurations';
type DenyKey = 'root_user' | 'secrets' | 'malware' | 'oval';
type DenyListKey = 'cves' | 'compliance' | 'licenses';

const THRESHOLD_KEYS: readonly ThresholdKey[] = ['severity', 'fixable_severity', 'misconfigurations'];
const DENY_KEYS: readonly DenyKey[] = ['root_user', 'secrets', 'malware', 'oval'];
const DENY_LIST_KEYS: readonly DenyListKey[] = ['cves', 'compliance', 'licenses'];

function ruleLoosenings(policy: string, was: Rules, now: Rules): Loosening[] {
  const found: string[] = [];
  for (const key of THRESHOLD_KEYS) {
    const before = was[key];
    const after = now[key];
    if (before === undefined) continue;
    if (after === undefined) found.push(`${key} ${before} is removed`);
    else if (severityRank(after as Severity) > severityRank(before as Severity)) found.push(`${key} raised ${before} → ${after}`);
  }
  if (was.max_cvss !== undefined) {
    if (now.max_cvss === undefined) found.push(`max_cvss ${was.max_cvss} is removed`);
    else if (now.max_cvss > was.max_cvss) found.push(`max_cvss raised ${was.max_cvss} → ${now.max_cvss}`);
  }
  for (const key of DENY_KEYS) {
    if (was[key] === 'deny' && now[key] !== 'deny') found.push(`${key} no longer denied`);
  }
  for (const key of DENY_LIST_KEYS) found.push(...removedEntries(key, was[key], now[key]));
  found.push(...removedEntries('packages.deny', was.packages?.deny?.map(packageText), now.packages?.deny?.map(packageText)));
  found.push(...removedEntries('packages.require', was.packages?.require, now.packages?.require));
  if (was.base_images !== undefined) {
    if (now.base_images === undefined) found.push('base_images is removed: any base image is accepted');
    else found.push(...now.base_images.filter((entry) => !was.base_images!.includes(entry)).map((entry) => `base_images approves ${entry}`));
  }
  const nowCustom = new Map((now.custom ?? []).map((rule) => [rule.name, rule.when] as const));
  for (const rule of was.custom ?? []) {
    const when = nowCustom.get(rule.name);
    if (when === undefined) found.push(`custom rule ${rule.name} is removed`);
    else if (when !== rule.when) found.push(`custom rule ${rule.name} changed its condition`);
  }
  return found.map((message) => ({ kind: 'rule-loosened' as const, policy, message: `policy ${policy}: ${message}` }));
}

function packageText(matcher: string | { name: string; version?: string | undefined }): string {
  return typeof matcher === 'string' ? matcher : matcher.version === undefined ? matcher.name : `${matcher.name} ${matcher.version}`;
}

/** Entries of a deny-style list that the proposal drops (a dropped list drops them all). */
function removedEntries(key: string, was: readonly string[] | undefined, now: readonly string[] | undefined): string[] {
  if (was === undefined) return [];
  if (now === undefined) return [`${key} is removed`];
  const removed = was.filter((entry) => !now.includes(entry));
  return removed.length === 0 ? [] : [`${key} no longer lists ${removed.join(', ')}`];
}

/** A scope narrows when it gains a key or a list loses entries: fewer images are judged by the policy. */
function scopeLoosenings(policy: string, was: Scope | undefined, now: Scope | undefined): Loosening[] {
  if (now === undefined) return [];
  const found: string[] = [];
  for (const key of ['images', 'registries', 'tags', 'branches', 'environments'] as const) {
    const after = now[key];
    if (after === undefined) continue;
    const before = was?.[key];
    if (before === undefined) found.push(`scope.${key} added (${after.join(', ')})`);
    else {
      const removed = before.filter((entry) => !after.includes(entry));
      if (removed.length > 0) found.push(`scope.${key} no longer matches ${removed.join(', ')}`);
      const added = after.filter((entry) => !before.includes(entry));
      if (added.length > 0 && removed.length > 0) found.push(`scope.${key} now matches ${added.join(', ')} instead`);
    }
  }
  for (const [label, value] of Object.entries(now.labels ?? {})) {
    if (was?.labels?.[label] !== value) found.push(`scope.labels.${label} requires ${value}`);
  }
  return found.map((message) => ({ kind: 'scope-narrowed' as const, policy, message: `policy ${policy}: ${message}` }));
}

function exceptionKey(exception: LoadedException): string {
  return JSON.stringify([exception.owner, exception.id, exception.package ?? null, [...(exception.policies ?? [])].sort(), [...(exception.images ?? [])].sort()]);
}

function exceptionLoosenings(was: readonly LoadedException[], now: readonly LoadedException[]): Loosening[] {
  const before = new Map(was.map((exception) => [exceptionKey(exception), exception] as const));
  const found: Loosening[] = [];
  for (const exception of now) {
    const previous = before.get(exceptionKey(exception));
    const what = `${exception.id}${exception.package === undefined ? '' : ` in ${exception.package}`}${exception.policies === undefined ? '' : ` for ${exception.policies.join(', ')}`}`;
    if (previous === undefined) found.push({ kind: 'exception-added', message: `new exception ${what} until ${exception.expires} (${exception.source})` });
    else if (exception.expires > previous.expires) found.push({ kind: 'exception-added', message: `exception ${what} extended ${previous.expires} → ${exception.expires}` });
  }
  return found;
}

/** For each enum setting, its values from strictest to most lenient. */
const SETTING_ORDER = {
  forks: ['untrusted', 'trusted'],
  missing_scan: ['fail', 'ignore'],
  unscoped_images: ['block', 'allow'],
  workflow_changes: ['untrusted', 'reviewed', 'trusted'],
} as const satisfies Partial<Record<keyof ResolvedSettings, readonly string[]>>;

function settingLoosenings(was: ResolvedSettings, now: ResolvedSettings): Loosening[] {
  const found: Loosening[] = [];
  for (const [key, order] of Object.entries(SETTING_ORDER) as [keyof typeof SETTING_ORDER, readonly string[]][]) {
    const before = order.indexOf(was[key]);
    const after = order.indexOf(now[key]);
    if (after > before) found.push({ kind: 'setting-loosened', message: `settings.${key}: ${was[key]} → ${now[key]}` });
  }
  const removedPaths = was.protected_paths.filter((path) => !now.protected_paths.includes(path));
  if (removedPaths.length > 0) found.push({ kind: 'setting-loosened', message: `settings.protected_paths no longer protects ${removedPaths.join(', ')}` });
  return found;
}
