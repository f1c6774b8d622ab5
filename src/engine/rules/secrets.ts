import { severityRank } from '../../model/severity.ts';
import type { Secret } from '../../model/report.ts';
import type { Violation } from '../../model/verdict.ts';
import type { RuleHit, RuleModule } from './rule.ts';

/** `secrets: deny` — any secret finding. One violation per secret rule ID, naming every place it was found. */
export const secretsRule: RuleModule = {
  key: 'secrets',
  isVulnerability: false,
  suggestsException: true,
  findingId: 'shared',
  unratedSeverity: 'critical',
  place: 'image',
  help: 'A secret (key, token, password) is in the image. Remove it, rebuild, and rotate the secret.',
  docsAnchor: 'secrets-and-malware',
  fix: (violation) => `remove the secret from ${violation.location?.path ?? 'the image'} and rotate it`,
  compile(rules) {
    if (rules.secrets !== 'deny') return undefined;
    return function evaluateSecrets(facts) {
      const byRule = new Map<string, Secret[]>();
      for (const secret of facts.bundle.secrets) {
        const found = byRule.get(secret.ruleId);
        if (found) found.push(secret);
        else byRule.set(secret.ruleId, [secret]);
      }
      const hits: RuleHit[] = [];
      for (const [ruleId, secrets] of byRule) {
        const first = secrets[0]!;
        let severity = first.severity;
        for (const secret of secrets) if (severityRank(secret.severity) > severityRank(severity)) severity = secret.severity;
        const places = secrets.map(place);
        const shown = places.length > 3 ? `${places.slice(0, 3).join(', ')} and ${places.length - 3} more` : places.join(', ');
        const violation: Violation = {
          rule: 'secrets',
          id: ruleId,
          severity,
          message: `secret ${first.title} (${ruleId}) found in ${shown}; remove it from the image and rotate it`,
          location: first.line === undefined ? { path: first.target } : { path: first.target, line: first.line },
        };
        hits.push({ violation, exceptionIds: [ruleId.toLowerCase()] });
      }
      return hits;
    };
  },
};

function place(secret: Secret): string {
  return secret.line === undefined ? secret.target : `${secret.target}:${secret.line}`;
}
