import type { Bundle } from '../model/bundle.ts';
import type { Attribution, Enforcement, ExceptionUse, ImageVerdict, PolicyVerdict, RuleKey, StaleVex, SuppressedFinding, Verdict, Violation } from '../model/verdict.ts';
import { RULE_KEYS } from '../model/verdict.ts';
import { imageStatusOf, isImageBlocked } from '../model/blocked.ts';
import type { LoadedPolicy, PolicySet, Rules } from '../policy/schema.ts';
import { attributeVulnerabilities, type Baseline, violationIdentity } from './attribution.ts';
import { type ExceptionIndex, type ExceptionMatcher, type IndexedException, indexExceptions } from './exceptions.ts';
import { type BundleFacts, buildBundleFacts } from './facts.ts';
import { attributionOf, defineViolationsOnRead, setAttribution } from './fast/lazy-violations.ts';
import { type EvaluateRule, type RuleHit, type RuleModule, RULES } from './rules/index.ts';
import { compareRules, compareViolations } from './order.ts';
import { type CompiledScope, compileScope } from './scope.ts';
import type { VexDocument } from '../vex/schema.ts';
import { indexVex, type VexMatcher } from './vex.ts';

/** What the caller knows about the evaluation: the run's branch, the deployment environment, and `now`. */
export interface EvaluationContext {
  branch?: string;
  environment?: string;
  now: Date;
  /** VEX documents whose statements may suppress vulnerability findings (issue 11); none by default. */
  vex?: readonly VexDocument[];
  /**
   * Attribution (issue 11): the baseline of each bundle, by bundle key. When given, a bundle it
   * lacks has every finding introduced and its verdict says `baseline: {source: 'none'}`; when not
   * given, findings are introduced and verdicts name no baseline.
   */
  baselines?: ReadonlyMap<string, Baseline>;
}

interface CompiledRule {
  key: RuleKey;
  /** The rule's configuration as a string: policies with the same configuration share the result per bundle. */
  cacheKey: string;
  isSortedAndUnique: boolean;
  evaluate: EvaluateRule;
}

interface CompiledPolicy {
  policy: LoadedPolicy;
  scope: CompiledScope;
  rules: CompiledRule[];
  /** Every rule's cache key: policies with the same rules share the merged result. */
  rulesKey: string;
}

/**
 * Judges every bundle against the policy set (SPEC §2) and returns the verdict (SPEC §3). Pure: no
 * I/O, no clock (`now` comes in the context), no environment. Policies are compiled once per call;
 * what the rules need about a bundle is computed once per bundle and shared by every policy.
 * Policies of one image with the same rules share violation objects: treat the verdict as read-only.
 */
export function evaluate(bundles: Bundle[], policySet: PolicySet, context: EvaluationContext): Verdict {
  const policies = policySet.policies.map(compilePolicy);
  const exceptions = indexExceptions(policySet.exceptions, context.now);
  const vex = indexVex(context.vex ?? [], { now: context.now, maxAgeDays: policySet.settings.vex_max_age_days });
  const scopeContext = { ...(context.branch === undefined ? {} : { branch: context.branch }), ...(context.environment === undefined ? {} : { environment: context.environment }) };

  const images: ImageVerdict[] = bundles.map((bundle) => {
    const inScope = policies.filter((compiled) => compiled.scope.matches(bundle, scopeContext));
    const baseline = context.baselines?.get(bundle.key);
    let facts: AttributedFacts | undefined;
    const vexMatcher = vex.isEmpty ? undefined : vex.matcherFor(bundle);
    const staleVex = new Map<string, StaleVex>();
    const policyVerdicts = inScope.map((compiled) => {
      facts ??= attributedFacts(bundle, baseline);
      const evaluated = evaluatePolicy(compiled, facts, exceptions, context.now, vexMatcher);
      for (const stale of evaluated.staleVex) staleVex.set(`${stale.document}\u0000${stale.statement}`, stale);
      return evaluated.verdict;
    });
    const isUnscoped = inScope.length === 0;
    const status = imageStatusOf(policyVerdicts, isUnscoped && policySet.settings.unscoped_images === 'block');
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
    if (staleVex.size > 0) verdict.stale_vex = [...staleVex.values()];
    if (context.baselines !== undefined) verdict.baseline = baseline?.ref ?? { source: 'none' };
    return verdict;
  });

  const verdict: Verdict = {
    allowed: !images.some(isImageBlocked),
    evaluated_at: context.now.toISOString(),
    context: scopeContext,
    sources: [...policySet.sources],
    images,
  };
  return verdict;
}

function compilePolicy(policy: LoadedPolicy): CompiledPolicy {
  const rules: CompiledRule[] = [];
  for (const key of RULE_KEYS) {
    const module = RULES[key];
    const evaluateRule = module.compile(policy.rules);
    if (evaluateRule === undefined) continue;
    rules.push({ key, cacheKey: `${key}\u0000${JSON.stringify(ruleConfiguration(module, policy.rules))}`, isSortedAndUnique: module.isSortedAndUnique === true, evaluate: evaluateRule });
  }
  return { policy, scope: compileScope(policy.scope), rules, rulesKey: `policy\u0001${rules.map((rule) => rule.cacheKey).join('\u0001')}` };
}

/** The part of the policy's rules a rule reads (its `configuration`, else `rules[key]`). */
function ruleConfiguration(module: RuleModule, rules: Rules): unknown {
  return module.configuration === undefined ? (rules as Readonly<Record<string, unknown>>)[module.key] : module.configuration(rules);
}

/** A bundle's facts, and what its findings are attributed against. */
interface AttributedFacts extends BundleFacts {
  baseline?: BundleFacts;
  /** The class of each vulnerability, computed on first use. */
  vulnerabilityAttribution(): readonly Attribution[];
}

function attributedFacts(bundle: Bundle, baseline: Baseline | undefined): AttributedFacts {
  const facts = buildBundleFacts(bundle);
  let classes: Attribution[] | undefined;
  return Object.assign(facts, {
    ...(baseline === undefined ? {} : { baseline: buildBundleFacts(baseline.bundle) }),
    vulnerabilityAttribution() {
      classes ??= attributeVulnerabilities(bundle.vulnerabilities, baseline?.bundle);
      return classes;
    },
  });
}

/** A rule's hits on a bundle, in violation order, one per finding; computed once per rule configuration. */
function ruleHits(rule: CompiledRule, facts: BundleFacts): RuleHit[] {
  return facts.ruleResult(rule.cacheKey, () => {
    const unsorted = rule.evaluate(facts);
    return rule.isSortedAndUnique ? unsorted : uniqueHits(unsorted).sort((a, b) => compareViolations(a.violation, b.violation));
  });
}

/**
 * Sets each hit's attribution (once per rule configuration and bundle: the class depends on the
 * bundle, its baseline and the rule, so violations shared by policies agree). A vulnerability is
 * attributed by its identity; any other finding is inherited when the baseline, judged by the
 * same rule, has the same violation.
 */
function attributeHits(rule: CompiledRule, facts: AttributedFacts, hits: readonly RuleHit[]): void {
  if (facts.baseline === undefined) {
    for (const hit of hits) setAttribution(hit, 'introduced');
    return;
  }
  const baseline = facts.baseline;
  let inBaseline: Set<string> | undefined;
  for (const hit of hits) {
    if (hit.vulnerabilityIndex !== undefined) {
      setAttribution(hit, facts.vulnerabilityAttribution()[hit.vulnerabilityIndex]!);
      continue;
    }
    inBaseline ??= new Set(ruleHits(rule, baseline).map((found) => violationIdentity(found.violation)));
    setAttribution(hit, inBaseline.has(violationIdentity(hit.violation)) ? 'inherited' : 'introduced');
  }
}

function evaluatePolicy(
  compiled: CompiledPolicy,
  facts: AttributedFacts,
  exceptions: ExceptionIndex,
  now: Date,
  vex: VexMatcher | undefined,
): { verdict: PolicyVerdict; staleVex: readonly StaleVex[] } {
  const { policy } = compiled;
  // Policies with the same rules share the merged result per bundle, and each rule's result too.
  const hits = facts.ruleResult(compiled.rulesKey, () => {
    const lists: RuleHit[][] = [];
    for (const rule of compiled.rules) {
      const found = facts.ruleResult(`${rule.cacheKey}\u0003attributed`, () => {
        const ruleFound = ruleHits(rule, facts);
        attributeHits(rule, facts, ruleFound);
        return ruleFound;
      });
      if (found.length > 0) lists.push(found);
    }
    return mergeSorted(lists, facts);
  });

  // The exception pass depends only on the hits and the exceptions that may apply: policies alike share it.
  const applicable = exceptions.applicableTo(policy);
  const passKey = `${compiled.rulesKey}\u0002${applicable.map((indexed) => indexed.order).join(',')}`;
  // VEX is the same for every policy of a bundle: it does not change what the pass depends on.
  const pass = facts.ruleResult(passKey, () => applyExceptions(hits, applicable.length === 0 ? undefined : exceptions.matcherFor(applicable, facts), vex));

  const exceptionUses: ExceptionUse[] = pass.uses.map(([indexed, count]) => ({
    id: indexed.exception.id,
    expires: indexed.exception.expires,
    expired: indexed.isExpired,
    reason: indexed.exception.reason,
    source: indexed.exception.source,
    suppressed: count,
  }));
  // `findings: introduced`: only what the change brought blocks; the rest is shown as warnings.
  const isIntroducedOnly = policy.findings === 'introduced';
  const blocking = isIntroducedOnly ? pass.kept.filter((hit) => attributionOf(hit) === 'introduced') : pass.kept;
  const suppressed = pass.suppressed.slice();
  const verdict: PolicyVerdict = {
    name: policy.name,
    enforcement: enforcementAt(policy, now),
    source: policy.source,
    passed: blocking.length === 0,
    violations: [],
    suppressed,
    exceptions: exceptionUses,
  };
  // The violations are built when a renderer reads them (fast/lazy-violations.ts).
  defineViolationsOnRead(verdict, 'violations', blocking);
  if (policy.enforce_from !== undefined) verdict.enforce_from = policy.enforce_from;
  if (isIntroducedOnly) {
    verdict.findings = 'introduced';
    verdict.warnings = [];
    defineViolationsOnRead(verdict, 'warnings', pass.kept.filter((hit) => attributionOf(hit) !== 'introduced'));
  }
  if (policy.description !== undefined) verdict.description = policy.description;
  return { verdict, staleVex: pass.staleVex };
}

/** A block policy acts as shadow before the start (00:00 UTC) of its `enforce_from` day. */
export function enforcementAt(policy: Pick<LoadedPolicy, 'enforcement' | 'enforce_from'>, now: Date): Enforcement {
  if (policy.enforcement !== 'block' || policy.enforce_from === undefined) return policy.enforcement;
  return now.getTime() < Date.parse(`${policy.enforce_from}T00:00:00Z`) ? 'shadow' : 'block';
}

interface ExceptionPass {
  /** The hits no exception or VEX statement suppressed: the policy's violations. */
  kept: readonly RuleHit[];
  suppressed: SuppressedFinding[];
  /** Exceptions that matched at least one hit, in policy-set order, with how many hits each suppressed. */
  uses: [IndexedException, number][];
  /** VEX statements that matched a hit but were too old to suppress it. */
  staleVex: StaleVex[];
}

/**
 * A VEX statement that suppresses a vulnerability hit comes first (the finding does not apply to
 * the image); then the first active matching exception suppresses a hit; every matching
 * exception, expired or not, is listed.
 */
function applyExceptions(hits: readonly RuleHit[], matchException: ExceptionMatcher | undefined, vex: VexMatcher | undefined): ExceptionPass {
  const kept: RuleHit[] = [];
  const suppressed: SuppressedFinding[] = [];
  const uses = new Map<IndexedException, number>();
  const staleVex: StaleVex[] = [];
  if (matchException === undefined && vex === undefined) return { kept: hits, suppressed, uses: [], staleVex };
  for (const hit of hits) {
    const decision = vex === undefined || hit.vulnerabilityIndex === undefined ? undefined : vex(hit.vulnerabilityIndex);
    if (decision?.kind === 'suppress') {
      suppressed.push({ ...hit.violation, vex: decision.use });
      continue;
    }
    if (decision?.kind === 'stale' && !staleVex.includes(decision.stale)) staleVex.push(decision.stale);
    if (matchException === undefined) {
      kept.push(hit);
      continue;
    }
    const matched = matchException(hit);
    let suppressor: IndexedException | undefined;
    for (const candidate of matched) {
      if (suppressor === undefined && !candidate.isExpired) suppressor = candidate;
      if (!uses.has(candidate)) uses.set(candidate, 0);
    }
    if (suppressor === undefined) {
      kept.push(hit);
    } else {
      uses.set(suppressor, uses.get(suppressor)! + 1);
      suppressed.push({ ...hit.violation, exception: suppressor.exception.id });
    }
  }
  return { kept, suppressed, uses: [...uses.entries()].sort(([a], [b]) => a.order - b.order), staleVex };
}

/** One violation per (rule, finding ID, package): of duplicates, the most severe is kept. For rules that do not dedupe themselves. */
function uniqueHits(hits: RuleHit[]): RuleHit[] {
  if (hits.length < 2) return hits;
  const byKey = new Map<string, RuleHit>();
  for (const hit of hits) {
    const key = `${hit.violation.id}\u0000${hit.violation.package ?? ''}`;
    const existing = byKey.get(key);
    if (existing === undefined || compareViolations(hit.violation, existing.violation) < 0) byKey.set(key, hit);
  }
  return byKey.size === hits.length ? hits : [...byKey.values()];
}

/** Violation order; two vulnerability hits compare by their precomputed keys (the same order, cheaper), then by rule. */
function compareHits(a: RuleHit, b: RuleHit, facts: BundleFacts): number {
  if (a.vulnerabilityIndex !== undefined && b.vulnerabilityIndex !== undefined) {
    return facts.compareVulnerabilities(a.vulnerabilityIndex, b.vulnerabilityIndex) || compareRules(a.violation.rule, b.violation.rule);
  }
  return compareViolations(a.violation, b.violation);
}

/** Merges lists that are each in violation order into one, in violation order. */
function mergeSorted(lists: RuleHit[][], facts: BundleFacts): RuleHit[] {
  if (lists.length === 0) return [];
  let merged = lists;
  while (merged.length > 1) {
    const next: RuleHit[][] = [];
    for (let i = 0; i < merged.length; i += 2) next.push(i + 1 < merged.length ? mergeTwo(merged[i]!, merged[i + 1]!, facts) : merged[i]!);
    merged = next;
  }
  return merged[0]!;
}

function mergeTwo(a: RuleHit[], b: RuleHit[], facts: BundleFacts): RuleHit[] {
  const merged: RuleHit[] = new Array<RuleHit>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) merged[k++] = compareHits(b[j]!, a[i]!, facts) < 0 ? b[j++]! : a[i++]!;
  while (i < a.length) merged[k++] = a[i++]!;
  while (j < b.length) merged[k++] = b[j++]!;
  return merged;
}
