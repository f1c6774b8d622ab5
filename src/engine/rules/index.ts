import type { Rules } from '../../policy/schema.ts';
import type { RuleKey } from '../../model/verdict.ts';
import { baseImagesRule } from './base-images.ts';
import { complianceRule } from './compliance.ts';
import { customRule } from './custom.ts';
import { cvesRule } from './cves.ts';
import { fixableSeverityRule } from './fixable-severity.ts';
import { licensesRule } from './licenses.ts';
import { malwareRule } from './malware.ts';
import { maxCvssRule } from './max-cvss.ts';
import { misconfigurationsRule } from './misconfigurations.ts';
import { ovalRule } from './oval.ts';
import { packagesDenyRule } from './packages-deny.ts';
import { packagesRequireRule } from './packages-require.ts';
import { rootUserRule } from './root-user.ts';
import type { RuleModule } from './rule.ts';
import { secretsRule } from './secrets.ts';
import { severityRule } from './severity.ts';

export type { EvaluateRule, RuleHit, RuleModule } from './rule.ts';

/** Every rule, one line per policy key (SPEC §3), in RULE_KEYS order. */
export const RULES: Readonly<Record<RuleKey, RuleModule>> = {
  severity: severityRule,
  fixable_severity: fixableSeverityRule,
  max_cvss: maxCvssRule,
  cves: cvesRule,
  'packages.deny': packagesDenyRule,
  'packages.require': packagesRequireRule,
  root_user: rootUserRule,
  base_images: baseImagesRule,
  secrets: secretsRule,
  malware: malwareRule,
  misconfigurations: misconfigurationsRule,
  compliance: complianceRule,
  licenses: licensesRule,
  oval: ovalRule,
  custom: customRule,
};

/** Whether a policy set uses a rule that judges the base image (see RuleTraits.readsBaseImage). */
export function readsBaseImage(policies: readonly { rules: Rules }[]): boolean {
  const rules = Object.values(RULES).filter((rule) => rule.readsBaseImage === true);
  return policies.some((policy) => rules.some((rule) => rule.compile(policy.rules) !== undefined));
}
