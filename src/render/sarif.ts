import type { FindingSeverity } from '../model/severity.ts';
import type { Enforcement, ImageVerdict, PolicyVerdict, Verdict, Violation } from '../model/verdict.ts';
import { repositoryOf } from './format.ts';

/** https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html */
export const SARIF_VERSION = '2.1.0';
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const TOOL_NAME = 'image-assurance';

/**
 * GitHub code scanning reads `security-severity` (a string, 0.0–10.0) on rules to rank alerts:
 * https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning#reportingdescriptor-object
 * A rule without a CVSS score takes the middle of its severity's band.
 */
const SEVERITY_SCORE: Readonly<Record<FindingSeverity, number>> = {
  critical: 9.5,
  high: 8.0,
  medium: 5.5,
  low: 2.0,
  negligible: 0.5,
  unknown: 5.0,
};

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { 'security-severity': string; tags: string[]; policy: string; rule: string; source: string };
}

type SarifLevel = 'error' | 'warning' | 'note';

/** A shadow policy (or a block policy before its `enforce_from` day) is a note: it would block, and does not yet. */
const SARIF_LEVEL: Record<Enforcement, SarifLevel> = { block: 'error', warn: 'warning', shadow: 'note' };

/**
 * The verdict as SARIF 2.1.0 for code scanning: one run, one rule per (policy, rule key), one
 * result per violation — `error` for block policies, `warning` for warn policies, `note` for shadow ones. A result points
 * at the violation's location, else at the image (a logical location, plus the image's repository
 * path as its artifact so that code scanning, which wants a physical location, accepts it).
 */
export function renderSarif(verdict: Verdict): object {
  const rules: SarifRule[] = [];
  const ruleIndex = new Map<string, number>();
  const results: object[] = [];
  for (const image of verdict.images) {
    for (const policy of image.policies) {
      for (const violation of policy.violations) {
        const id = `${policy.name}/${violation.rule}`;
        let index = ruleIndex.get(id);
        if (index === undefined) {
          index = rules.length;
          ruleIndex.set(id, index);
          rules.push(ruleFor(id, policy, violation));
        }
        const rule = rules[index]!;
        const score = scoreOf(violation);
        if (score > Number(rule.properties['security-severity'])) rule.properties['security-severity'] = score.toFixed(1);
        results.push(resultFor(id, index, image, policy, violation));
      }
    }
  }
  return {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: [
      {
        tool: { driver: { name: TOOL_NAME, rules } },
        results,
        properties: { sources: verdict.sources, evaluated_at: verdict.evaluated_at, allowed: verdict.allowed },
      },
    ],
  };
}

function ruleFor(id: string, policy: PolicyVerdict, violation: Violation): SarifRule {
  const level = SARIF_LEVEL[policy.enforcement];
  const description = policy.description ?? `Policy ${policy.name} (${policy.enforcement})`;
  return {
    id,
    name: `${policy.name}: ${violation.rule}`,
    shortDescription: { text: `${policy.name}: ${violation.rule}` },
    fullDescription: { text: `${description} — rule ${violation.rule}, from ${policy.source}` },
    defaultConfiguration: { level },
    properties: {
      'security-severity': scoreOf(violation).toFixed(1),
      tags: ['security', 'container', violation.rule],
      policy: policy.name,
      rule: violation.rule,
      source: policy.source,
    },
  };
}

function scoreOf(violation: Violation): number {
  if (violation.cvss !== undefined) return violation.cvss;
  if (violation.severity !== undefined) return SEVERITY_SCORE[violation.severity];
  // Rules without a severity (root_user, secrets, malware, base_images, …) are as serious as the policy says: high.
  return SEVERITY_SCORE.high;
}

function resultFor(ruleId: string, ruleIndex: number, image: ImageVerdict, policy: PolicyVerdict, violation: Violation): object {
  const repository = repositoryOf(image.image);
  const physicalLocation =
    violation.location === undefined
      ? { artifactLocation: { uri: uriOf(repository) }, region: { startLine: 1 } }
      : { artifactLocation: { uri: uriOf(violation.location.path.replace(/^\/+/, '')) }, region: { startLine: violation.location.line ?? 1 } };
  return {
    ruleId,
    ruleIndex,
    level: SARIF_LEVEL[policy.enforcement],
    // SARIF requires a non-empty message.
    message: { text: violation.message.trim() === '' ? `${violation.rule}: ${violation.id}` : violation.message },
    locations: [
      {
        physicalLocation,
        logicalLocations: [{ name: image.image, fullyQualifiedName: image.digest === undefined ? image.image : `${repository}@${image.digest}`, kind: 'module' }],
      },
    ],
    partialFingerprints: { 'imageAssurance/v1': [repository, policy.name, violation.rule, violation.id, violation.package ?? ''].join('|') },
    properties: {
      image: image.image,
      ...(image.digest === undefined ? {} : { digest: image.digest }),
      policy: policy.name,
      rule: violation.rule,
      id: violation.id,
      ...(violation.package === undefined ? {} : { package: violation.package }),
      ...(violation.version === undefined ? {} : { version: violation.version }),
      ...(violation.fixed_version === undefined ? {} : { fixed_version: violation.fixed_version }),
      ...(violation.severity === undefined ? {} : { severity: violation.severity }),
      ...(violation.cvss === undefined ? {} : { cvss: violation.cvss }),
    },
  };
}

/** A relative URI reference for a path; a lone surrogate (a broken report) becomes U+FFFD instead of throwing. */
function uriOf(path: string): string {
  return encodeURI(path.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
}
