import type { Bundle } from '../model/bundle.ts';
import { severityRank } from '../model/severity.ts';
import type { ExceptionUse, ImageStatus, ImageVerdict, PolicyVerdict, RuleKey, Verdict, Violation } from '../model/verdict.ts';
import { RULE_KEYS } from '../model/verdict.ts';
import type { LoadedPolicy, PolicySet } from '../policy/schema.ts';
import { type ExceptionIndex, type IndexedException, indexExceptions } from './exceptions.ts';
import { type BundleFacts, buildBundleFacts } from './facts.ts';
import { type EvaluateRule, type RuleHit, RULES } from './rules/index.ts';
import { type CompiledScope, compileScope } from './scope.ts';

/** What the caller knows about the evaluation: the run's branch, the deployment environment, and `now`. */
export interface EvaluationContext {
  branch?: string;
  environment?: string;
  now: Date;
}

interface CompiledPolicy {
  policy: LoadedPolicy;
  scope: CompiledScope;
  rules: { key: RuleKey; evaluate: EvaluateRule }[];
}

/**
 * Judges every bundle against the policy set (SPEC §2) and returns the verdict (SPEC §3). Pure: no
 * I/O, no clock (`now` comes in the context), no environment. Policies are compiled once per call;
 * what the rules need about a bundle is computed once per bundle and shared by every policy.
 */
export function evaluate(bundles: Bundle[], policySet: PolicySet, context: EvaluationContext): Verdict {
  const policies = policySet.policies.map(compilePolicy);
  const exceptions = indexExceptions(policySet.exceptions, context.now);
  const scopeContext = { ...(context.branch === undefined ? {} : { branch: context.branch }), ...(context.environment === undefined ? {} : { environment: context.environment }) };

  const images: ImageVerdict[] = bundles.map((bundle) => {
    const inScope = policies.filter((compiled) => compiled.scope.matches(bundle, scopeContext));
    let facts: BundleFacts | undefined;
    const imageMatches = new Map<IndexedException, boolean>();
    const policyVerdicts = inScope.map((compiled) => {
      facts ??= buildBundleFacts(bundle);
      return evaluatePolicy(compiled, facts, exceptions, imageMatches);
    });
    const isUnscoped = inScope.length === 0;
    const status = imageStatus(policyVerdicts, isUnscoped && policySet.settings.unscoped_images === 'block');
    const verdict: ImageVerdict = {
      image: bundle.image.ref,
      allowed: status !== 'blocked',
      status,
      unscoped: isUnscoped,
      policies: policyVerdicts,
      reports: bundle.reports.map((report) => ({ path: report.path, format: report.format, tool: report.tool })),
    };
    if (bundle.image.digest !== undefined) verdict.digest = bundle.image.digest;
    if (bundle.imageId !== undefined) verdict.image_id = bundle.imageId;
    return verdict;
  });

  const verdict: Verdict = {
    allowed: images.every((image) => image.allowed),
    evaluated_at: context.now.toISOString(),
    context: scopeContext,
    sources: [...policySet.sources],
    images,
  };
  return verdict;
}

function compilePolicy(policy: LoadedPolicy): CompiledPolicy {
  const rules: CompiledPolicy['rules'] = [];
  for (const key of RULE_KEYS) {
    const evaluateRule = RULES[key].compile(policy.rules);
    if (evaluateRule !== undefined) rules.push({ key, evaluate: evaluateRule });
  }
  return { policy, scope: compileScope(policy.scope), rules };
}

function evaluatePolicy(compiled: CompiledPolicy, facts: BundleFacts, exceptions: ExceptionIndex, imageMatches: Map<IndexedException, boolean>): PolicyVerdict {
  const { policy } = compiled;
  const violations: Violation[] = [];
  const suppressed: (Violation & { exception: string })[] = [];
  const uses = new Map<IndexedException, number>();

  for (const rule of compiled.rules) {
    for (const hit of uniqueHits(rule.evaluate(facts))) {
      const matched = exceptions.match(policy, facts.bundle, hit, imageMatches);
      let suppressor: IndexedException | undefined;
      for (const candidate of matched) {
        if (suppressor === undefined && !candidate.isExpired) suppressor = candidate;
        if (!uses.has(candidate)) uses.set(candidate, 0);
      }
      if (suppressor === undefined) {
        violations.push(hit.violation);
      } else {
        uses.set(suppressor, uses.get(suppressor)! + 1);
        suppressed.push({ ...hit.violation, exception: suppressor.exception.id });
      }
    }
  }

  violations.sort(compareViolations);
  suppressed.sort(compareViolations);
  const exceptionUses: ExceptionUse[] = [...uses.entries()]
    .sort(([a], [b]) => a.order - b.order)
    .map(([indexed, count]) => ({
      id: indexed.exception.id,
      expires: indexed.exception.expires,
      expired: indexed.isExpired,
      reason: indexed.exception.reason,
      source: indexed.exception.source,
      suppressed: count,
    }));
  const verdict: PolicyVerdict = {
    name: policy.name,
    enforcement: policy.enforcement,
    source: policy.source,
    passed: violations.length === 0,
    violations,
    suppressed,
    exceptions: exceptionUses,
  };
  if (policy.description !== undefined) verdict.description = policy.description;
  return verdict;
}

/** One violation per (rule, finding ID, package): of duplicates (two reports, two paths), the most severe is kept. */
function uniqueHits(hits: RuleHit[]): RuleHit[] {
  if (hits.length < 2) return hits;
  const byKey = new Map<string, RuleHit>();
  for (const hit of hits) {
    const key = `${hit.violation.id}\u0000${hit.violation.package ?? ''}`;
    const existing = byKey.get(key);
    if (existing === undefined) {
      byKey.set(key, hit);
    } else if (compareViolations(hit.violation, existing.violation) < 0 || (!existing.violation.fixed_version && hit.violation.fixed_version && compareViolations(hit.violation, existing.violation) === 0)) {
      byKey.set(key, hit);
    }
  }
  return byKey.size === hits.length ? hits : [...byKey.values()];
}

const RULE_ORDER = new Map<RuleKey, number>(RULE_KEYS.map((key, index) => [key, index]));

/** Most severe first: severity rank, then CVSS, then ID; ties broken by rule and package for a stable order. */
export function compareViolations(a: Violation, b: Violation): number {
  const rankA = a.severity === undefined ? -2 : severityRank(a.severity);
  const rankB = b.severity === undefined ? -2 : severityRank(b.severity);
  if (rankA !== rankB) return rankB - rankA;
  const cvssA = a.cvss ?? -1;
  const cvssB = b.cvss ?? -1;
  if (cvssA !== cvssB) return cvssB - cvssA;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  const ruleA = RULE_ORDER.get(a.rule)!;
  const ruleB = RULE_ORDER.get(b.rule)!;
  if (ruleA !== ruleB) return ruleA - ruleB;
  const packageA = a.package ?? '';
  const packageB = b.package ?? '';
  if (packageA !== packageB) return packageA < packageB ? -1 : 1;
  return 0;
}

function imageStatus(policies: readonly PolicyVerdict[], isBlockedAsUnscoped: boolean): ImageStatus {
  if (isBlockedAsUnscoped) return 'blocked';
  let status: ImageStatus = 'allowed';
  for (const policy of policies) {
    if (policy.passed) continue;
    if (policy.enforcement === 'block') return 'blocked';
    status = 'warned';
  }
  return status;
}
