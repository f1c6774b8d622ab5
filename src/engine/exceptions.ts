import type { Bundle } from '../model/bundle.ts';
import type { LoadedException, LoadedPolicy } from '../policy/schema.ts';
import type { RuleHit } from './rules/rule.ts';
import { matchesImageGlobs } from './scope.ts';

/**
 * Exceptions (SPEC §2), indexed once per evaluation by owner and lowercase ID. An exception applies
 * only to policies with the same `owner` (a repository never waives the organization's policies),
 * optionally only to the named `policies`, the `images` globs and the `package`. It is active until
 * the end of its `expires` day, UTC; an expired one suppresses nothing but is still reported.
 */
export interface IndexedException {
  readonly exception: LoadedException;
  /** Position in the policy set: the first active matching exception is the one credited. */
  readonly order: number;
  readonly isExpired: boolean;
  readonly policies?: ReadonlySet<string>;
}

export interface ExceptionIndex {
  /** Every exception that matches the hit for this policy and bundle, in policy-set order. `imageMatches` caches the `images` check per bundle. */
  match(policy: LoadedPolicy, bundle: Bundle, hit: RuleHit, imageMatches: Map<IndexedException, boolean>): IndexedException[];
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

export function indexExceptions(exceptions: readonly LoadedException[], now: Date): ExceptionIndex {
  const byOwner = new Map<string, Map<string, IndexedException[]>>();
  exceptions.forEach((exception, order) => {
    const indexed: IndexedException = {
      exception,
      order,
      isExpired: isExceptionExpired(exception.expires, now),
      ...(exception.policies === undefined ? {} : { policies: new Set(exception.policies) }),
    };
    let byId = byOwner.get(exception.owner);
    if (byId === undefined) byOwner.set(exception.owner, (byId = new Map()));
    const id = exception.id.toLowerCase();
    const list = byId.get(id);
    if (list) list.push(indexed);
    else byId.set(id, [indexed]);
  });

  return {
    match(policy, bundle, hit, imageMatches) {
      const byId = byOwner.get(policy.owner);
      if (byId === undefined) return [];
      let matched: IndexedException[] | undefined;
      for (const id of hit.exceptionIds) {
        const candidates = byId.get(id);
        if (candidates === undefined) continue;
        for (const candidate of candidates) {
          if (!appliesTo(candidate, policy, bundle, hit, imageMatches)) continue;
          matched ??= [];
          if (!matched.includes(candidate)) matched.push(candidate);
        }
      }
      if (matched === undefined) return [];
      if (matched.length > 1) matched.sort((a, b) => a.order - b.order);
      return matched;
    },
  };
}

function appliesTo(candidate: IndexedException, policy: LoadedPolicy, bundle: Bundle, hit: RuleHit, imageMatches: Map<IndexedException, boolean>): boolean {
  const { exception } = candidate;
  if (candidate.policies !== undefined && !candidate.policies.has(policy.name)) return false;
  if (exception.package !== undefined && exception.package !== hit.violation.package) return false;
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
