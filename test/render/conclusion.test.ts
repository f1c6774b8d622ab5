import { describe, expect, it } from 'vitest';

import type { CheckConclusion, Outcome } from '../../src/model/outcome.ts';
import { conclusionOf, verdictOutcome } from '../../src/render/conclusion.ts';
import { allowedVerdict, blockedVerdict, emptyVerdict, FORK_PROBLEM, outcome, POLICY_PROBLEM, warnedVerdict } from './helpers.ts';

describe('src/render/conclusion', () => {
  it.each<[string, Outcome, CheckConclusion]>([
    ['nothing judged and nothing failed', outcome(emptyVerdict()), 'neutral'],
    ['warnings only', outcome(warnedVerdict()), 'neutral'],
    ['a problem, even with every image allowed', outcome(allowedVerdict(), { problems: [FORK_PROBLEM] }), 'failure'],
    ['a problem and nothing judged', outcome(emptyVerdict(), { problems: [POLICY_PROBLEM] }), 'failure'],
    ['a blocked image', outcome(blockedVerdict()), 'failure'],
    ['every image allowed, no warnings', outcome(allowedVerdict()), 'success'],
    ['notes change nothing', outcome(allowedVerdict(), { notes: ['preset:baseline applied'] }), 'success'],
    ['a verdict that says not allowed though its images look allowed', outcome({ ...allowedVerdict(), allowed: false }), 'failure'],
  ])('%s → %s', (_name, input, expected) => {
    const conclusion = conclusionOf(input);

    expect(conclusion).toBe(expected);
  });

  it('wraps a CLI verdict as an outcome with no problems, notes or runs', () => {
    const verdict = blockedVerdict();

    const result = verdictOutcome(verdict);

    expect(result).toEqual({ verdict, problems: [], notes: [], runs: [] });
  });
});
