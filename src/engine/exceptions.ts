import type { Bundle } from '../model/bundle.ts';
import type { LoadedException, LoadedPolicy } from '../policy/schema.ts';
import type { BundleFacts } from './facts.ts';
import type { RuleHit } from './rules/rule.ts';
import { matchesImageGlobs } from './scope.ts';

/**
 * Exceptions (SPEC §2), indexed once per evaluation by owner. An exception applies only to policies
 * with the same `owner` (a repository never waives the organization's policies), optionally only to
 * the named `policies`, the `images` globs and the `package`; its `id` matches a finding's ID
 * case-insensitively (for a vulnerability: its ID or an alias). It is active until the end of its
 * `expires` day, UTC; an expired one suppresses nothing but is still reported.
 */
export interface IndexedException {
  readonly exception: LoadedException;
  /** Position in the policy set: the first active matching exception is the one credited. */
  readonly order: number;
  readonly isExpired: boolean;
  readonly policies?: ReadonlySet<string>;
  /** `exception.id`, lowercase. */
  readonly id: string;
}

/** Finds the exceptions (in policy-set order) that match a hit; do not modify the result. */
export type ExceptionMatcher = (hit: RuleHit) => readonly IndexedException[];

export interface ExceptionIndex {
  /** The exceptions that may apply to this policy (same owner; `policies` names it or is absent), in policy-set order. */
  applicableTo(policy: LoadedPolicy): IndexedException[];
  /** A matcher over `applicable` (from `applicableTo`) for one bundle. */
  matcherFor(applicable: readonly IndexedException[], facts: BundleFacts): ExceptionMatcher;
}

/** End of the `expires` day, UTC, in milliseconds. */
export function exceptionEndsAt(expires: string): number {
  return Date.parse(`${expires}T23:59:59.999Z`);
}

/** Active while `now <= expires T23:59:59.999Z`. An unparsable date counts as expired (fail closed). */
export function isExceptionExpired(expires: string, now: Date): boolean {
  const endsAt = exceptionEndsAt(expires);
  return Number.isNaN(endsAt) || now.getTime() > endsAt;
}

const NONE: readonly IndexedException[] = [];

export function indexExceptions(exceptions: readonly LoadedException[], now: Date): ExceptionIndex {
  const byOwner = new Map<string, IndexedException[]>();
  exceptions.forEach((exception, order) => {
    const indexed: IndexedException = {
      exception,
      order,
      isExpired: isExceptionExpired(exception.expires, now),
      id: exception.id.toLowerCase(),
      ...(exception.policies === undefined ? {} : { policies: new Set(exception.policies) }),
    };
    const list = byOwner.get(exception.owner);
    if (list) list.push(indexed);
    else byOwner.set(exception.owner, [indexed]);
  });

  // Which exceptions (of every owner, in policy-set order) name each vulnerability: one look-up per bundle, shared by every policy.
  const byBundle = new WeakMap<BundleFacts, Map<number, IndexedException[]>>();
  function vulnerabilityExceptions(facts: BundleFacts): Map<number, IndexedException[]> {
    let found = byBundle.get(facts);
    if (found === undefined) {
      found = new Map();
      const all = [...byOwner.values()].flat().sort((a, b) => a.order - b.order);
      const named = facts.findVulnerabilities([...new Set(all.map((indexed) => indexed.id))]);
      for (const [index, ids] of named) found.set(index, all.filter((indexed) => ids.includes(indexed.id)));
      byBundle.set(facts, found);
    }
    return found;
  }

  return {
    applicableTo(policy) {
      const list = byOwner.get(policy.owner);
      if (list === undefined) return [];
      return list.filter((indexed) => indexed.policies === undefined || indexed.policies.has(policy.name));
    },
    matcherFor(applicable, facts) {
      const bundle = facts.bundle;
      const imageMatches = new Map<IndexedException, boolean>();
      const isApplicable = new Set(applicable);
      const byId = new Map<string, IndexedException[]>();
      for (const indexed of applicable) {
        const list = byId.get(indexed.id);
        if (list) list.push(indexed);
        else byId.set(indexed.id, [indexed]);
      }
      let byVulnerability: Map<number, IndexedException[]> | undefined;
      return function matchException(hit) {
        let candidates: readonly IndexedException[];
        if (hit.vulnerabilityIndex !== undefined) {
          byVulnerability ??= vulnerabilityExceptions(facts);
          const named = byVulnerability.get(hit.vulnerabilityIndex);
          if (named === undefined) return NONE;
          candidates = named.filter((indexed) => isApplicable.has(indexed));
        } else {
          const found: IndexedException[] = [];
          for (const id of hit.exceptionIds ?? []) for (const indexed of byId.get(id) ?? NONE) if (!found.includes(indexed)) found.push(indexed);
          candidates = found;
        }
        if (candidates.length === 0) return NONE;
        const matched = candidates.filter((candidate) => appliesTo(candidate, bundle, hit, imageMatches));
        if (matched.length > 1) matched.sort((a, b) => a.order - b.order);
        return matched;
      };
    },
  };
}

function appliesTo(candidate: IndexedException, bundle: Bundle, hit: RuleHit, imageMatches: Map<IndexedException, boolean>): boolean {
  const { exception } = candidate;
  if (exception.package !== undefined && !isSamePackage(exception.package, hit.violation.package)) return false;
  if (exception.images !== undefined) {
    let matches = imageMatches.get(candidate);
    if (matches === undefined) {
      matches = matchesImageGlobs(exception.images, bundle);
      imageMatches.set(candidate, matches);
    }
    if (!matches) return false;
  }
  return true;
}

/** Case-insensitively (`Django` is `django`); a Maven artifactId names Trivy's `groupId:artifactId` too. */
function isSamePackage(named: string, found: string | undefined): boolean {
  if (found === undefined) return false;
  const wanted = named.toLowerCase();
  const actual = found.toLowerCase();
  return actual === wanted || (!wanted.includes(':') && actual.endsWith(`:${wanted}`));
}
