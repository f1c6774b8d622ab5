import { checkCel, compileCel, type CompiledCel } from '../cel.ts';
import type { RuleHit, RuleModule } from './rule.ts';

interface CompiledCustomRule {
  name: string;
  message: string;
  compiled?: CompiledCel;
  /** Set when the expression does not compile (the loader should have refused it): the rule then always fails, saying why. */
  problem?: string;
}

/**
 * `custom: [{name, when, message}]` — CEL over the bundle (see cel.ts); `true` is a violation with the
 * rule's name as ID and its message. An evaluation that fails (error, over its step budget, not a
 * bool) is a violation too, naming the rule and the reason (fail closed).
 */
export const customRule: RuleModule = {
  key: 'custom',
  isVulnerability: false,
  suggestsException: false,
  findingId: 'own',
  place: 'image',
  help: 'A custom CEL rule of the policy matched. Its message says what to change.',
  docsAnchor: 'custom',
  fix: (violation) => violation.message,
  compile(rules) {
    if (rules.custom === undefined || rules.custom.length === 0) return undefined;
    const customRules: CompiledCustomRule[] = rules.custom.map((rule) => {
      const problem = checkCel(rule.when);
      if (problem !== undefined) return { name: rule.name, message: rule.message, problem: problem.message };
      return { name: rule.name, message: rule.message, compiled: compileCel(rule.when) };
    });
    return function evaluateCustom(facts) {
      const hits: RuleHit[] = [];
      for (const rule of customRules) {
        let failure = rule.problem;
        if (rule.compiled !== undefined) {
          const result = rule.compiled.tryEvaluate(facts.celActivation());
          if (result.ok && !result.value) continue;
          if (!result.ok) failure = result.reason;
        }
        const message = failure === undefined ? rule.message : `${rule.message} (custom rule '${rule.name}' could not be evaluated, so it counts as violated: ${failure})`;
        hits.push({ violation: { rule: 'custom', id: rule.name, message }, exceptionIds: [rule.name.toLowerCase()] });
      }
      return hits;
    };
  },
};
