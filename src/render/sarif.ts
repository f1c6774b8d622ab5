import { RULES } from '../engine/rules/index.ts';
import type { FindingSeverity } from '../model/severity.ts';
import type { Enforcement, ImageVerdict, PolicyVerdict, RuleKey, Verdict, Violation } from '../model/verdict.ts';
import { isDockerfilePath, repositoryOf } from './format.ts';

/** https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html */
export const SARIF_VERSION = '2.1.0';
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const TOOL_NAME = 'image-assurance';
/** Where the rules are documented: the package's README (its "Rules" section has one heading per rule key). */
export const DOCS_URL = 'https://www.npmjs.com/package/image-assurance';

export interface SarifOptions {
  /** This tool's version (`driver.version`). */
  toolVersion: string;
}

/** The README heading of a rule, as a link. */
function helpUriOf(rule: RuleKey): string {
  return `${DOCS_URL}#${RULES[rule].docsAnchor}`;
}

/** The policy file a repository keeps, for results that have no place in it. */
const DEFAULT_POLICY_FILE = '.github/image-assurance.yml';

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
  help: { text: string; markdown: string };
  helpUri: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { 'security-severity': string; tags: string[]; policy: string; rule: string; source: string };
}

type SarifLevel = 'error' | 'warning' | 'note';

/** A shadow policy (or a block policy before its `enforce_from` day) is a note: it would block, and does not yet. */
const SARIF_LEVEL: Record<Enforcement, SarifLevel> = { block: 'error', warn: 'warning', shadow: 'note' };

/**
 * The verdict as SARIF 2.1.0 for code scanning: one run per image, told apart by
 * `automationDetails.id` (`image-assurance/<repository>/`: code scanning keeps one analysis per
 * category); per run one rule per (policy, rule key) with help text and a link to its
 * documentation, and one result per violation: `error` for block policies, `warning` for warn
 * policies, `note` for shadow ones. A result is placed on the Dockerfile when the finding is there
 * (root user, base image), else on the policy file that the rule comes from: code scanning wants a
 * file of the repository, and a path inside the image is not one (it is kept as a logical location).
 * An empty verdict is one run without results.
 */
export function renderSarif(verdict: Verdict, options: SarifOptions): object {
  const runs = verdict.images.map((image) => runFor(image, verdict, options));
  return {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: runs.length > 0 ? runs : [{ tool: driverOf([], options), results: [], properties: runProperties(verdict) }],
  };
}

function runFor(image: ImageVerdict, verdict: Verdict, options: SarifOptions): object {
  const rules: SarifRule[] = [];
  const ruleIndex = new Map<string, number>();
  const results: object[] = [];
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
      results.push(resultFor(id, index, image, policy, violation, verdict.sources));
    }
  }
  return {
    tool: driverOf(rules, options),
    automationDetails: { id: `${TOOL_NAME}/${repositoryOf(image.image)}/` },
    results,
    properties: { ...runProperties(verdict), image: image.image, ...(image.digest === undefined ? {} : { digest: image.digest }), allowed: image.allowed },
  };
}

function driverOf(rules: SarifRule[], options: SarifOptions): object {
  return { driver: { name: TOOL_NAME, version: options.toolVersion, semanticVersion: options.toolVersion, informationUri: DOCS_URL, rules } };
}

function runProperties(verdict: Verdict): { sources: string[]; evaluated_at: string; allowed: boolean } {
  return { sources: verdict.sources, evaluated_at: verdict.evaluated_at, allowed: verdict.allowed };
}

function ruleFor(id: string, policy: PolicyVerdict, violation: Violation): SarifRule {
  const level = SARIF_LEVEL[policy.enforcement];
  const description = policy.description ?? `Policy ${policy.name} (${policy.enforcement})`;
  return {
    id,
    name: `${policy.name}: ${violation.rule}`,
    shortDescription: { text: `${policy.name}: ${violation.rule}` },
    fullDescription: { text: `${description} — rule ${violation.rule}, from ${policy.source}` },
    help: {
      text: `${RULES[violation.rule].help} (policy ${policy.name}, ${policy.enforcement}, from ${policy.source})`,
      markdown: `${RULES[violation.rule].help}\n\nPolicy \`${policy.name}\` (${policy.enforcement}), from \`${policy.source}\`. [Rule \`${violation.rule}\`](${helpUriOf(violation.rule)})`,
    },
    helpUri: helpUriOf(violation.rule),
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
  // A rule without a severity (root_user, base_images, …) is as serious as the policy says: high, unless the rule says how severe it is unrated.
  return SEVERITY_SCORE[violation.severity ?? RULES[violation.rule].unratedSeverity ?? 'high'];
}

/**
 * Where code scanning shows a result: the Dockerfile line when the finding is there, else the
 * policy file the rule comes from (a preset's or the organization's rule: the first repository
 * policy file applied, else `.github/image-assurance.yml`).
 */
function physicalLocationOf(policy: PolicyVerdict, violation: Violation, sources: readonly string[]): object {
  if (violation.location !== undefined && isDockerfilePath(violation.location.path)) {
    return { artifactLocation: { uri: uriOf(violation.location.path.replace(/^\/+/, '')) }, region: { startLine: violation.location.line ?? 1 } };
  }
  const isRepositoryFile = (source: string): boolean => !source.startsWith('preset:') && !source.startsWith('org:');
  const file = isRepositoryFile(policy.source) ? policy.source : (sources.find(isRepositoryFile) ?? DEFAULT_POLICY_FILE);
  return { artifactLocation: { uri: uriOf(file.replace(/^\/+/, '')) }, region: { startLine: 1 } };
}

function resultFor(ruleId: string, ruleIndex: number, image: ImageVerdict, policy: PolicyVerdict, violation: Violation, sources: readonly string[]): object {
  const repository = repositoryOf(image.image);
  const physicalLocation = physicalLocationOf(policy, violation, sources);
  const inImage = violation.location === undefined || isDockerfilePath(violation.location.path) ? [] : [{ name: violation.location.path, kind: 'resource' }];
  return {
    ruleId,
    ruleIndex,
    level: SARIF_LEVEL[policy.enforcement],
    // SARIF requires a non-empty message.
    message: { text: violation.message.trim() === '' ? `${violation.rule}: ${violation.id}` : violation.message },
    locations: [
      {
        physicalLocation,
        logicalLocations: [{ name: image.image, fullyQualifiedName: image.digest === undefined ? image.image : `${repository}@${image.digest}`, kind: 'module' }, ...inImage],
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
      ...(violation.location === undefined ? {} : { location: violation.location }),
    },
  };
}

/** A relative URI reference for a path; a lone surrogate (a broken report) becomes U+FFFD instead of throwing. */
function uriOf(path: string): string {
  return encodeURI(path.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
}
