import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/evaluate.ts';
import { policyOutcomesOf, summarizePolicyHistory } from '../../src/engine/policy-history.ts';
import { parsePolicyFile } from '../../src/policy/load.ts';
import { conclusionOf, verdictOutcome } from '../../src/render/conclusion.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';
import { renderPrComment } from '../../src/render/pr-comment.ts';
import { renderSarif } from '../../src/render/sarif.ts';
import { buildBundle, buildPolicy, buildPolicySet, buildVulnerability } from '../helpers/build-bundle.ts';
import { problemsOf } from '../helpers/input-error.ts';

const NOW = new Date('2026-06-15T12:00:00Z');
const critical = buildVulnerability({ severity: 'critical' });

describe('shadow policies and enforce_from', () => {
  it('a failing shadow policy is listed as not passed and leaves the image allowed', () => {
    const policySet = buildPolicySet([buildPolicy({ name: 'next-quarter', enforcement: 'shadow', rules: { severity: 'high' } })]);

    const verdict = evaluate([buildBundle({ vulnerabilities: [critical] })], policySet, { now: NOW });

    expect(verdict.images[0]).toMatchObject({ allowed: true, status: 'allowed' });
    expect(verdict.images[0]?.policies[0]).toMatchObject({ name: 'next-quarter', enforcement: 'shadow', passed: false });
    expect(verdict.allowed).toBe(true);
    expect(conclusionOf(verdictOutcome(verdict))).toBe('success');
  });

  it('a shadow policy never turns a blocked image allowed', () => {
    const policySet = buildPolicySet([
      buildPolicy({ name: 'today', rules: { severity: 'critical' } }),
      buildPolicy({ name: 'next-quarter', enforcement: 'shadow', rules: { severity: 'high' } }),
    ]);

    const verdict = evaluate([buildBundle({ vulnerabilities: [critical] })], policySet, { now: NOW });

    expect(verdict.images[0]).toMatchObject({ allowed: false, status: 'blocked' });
  });

  it.each([
    ['the day before, at the last millisecond', '2026-06-30T23:59:59.999Z', 'shadow', true],
    ['at midnight UTC of the day', '2026-07-01T00:00:00.000Z', 'block', false],
    ['after the day', '2026-08-01T00:00:00.000Z', 'block', false],
  ])('enforce_from: %s', (_when, now, enforcement, allowed) => {
    const policySet = buildPolicySet([buildPolicy({ name: 'strict', enforce_from: '2026-07-01', rules: { severity: 'high' } })]);

    const verdict = evaluate([buildBundle({ vulnerabilities: [critical] })], policySet, { now: new Date(now) });

    expect(verdict.images[0]?.policies[0]).toMatchObject({ enforcement, enforce_from: '2026-07-01', passed: false });
    expect(verdict.images[0]?.allowed).toBe(allowed);
    expect(conclusionOf(verdictOutcome(verdict))).toBe(allowed ? 'success' : 'failure');
  });

  it('the check folds a shadow policy under "would block" and says when it blocks; the comment headline leaves it out', () => {
    const policySet = buildPolicySet([
      buildPolicy({ name: 'next-quarter', enforcement: 'shadow', rules: { severity: 'high' } }),
      buildPolicy({ name: 'strict', enforce_from: '2026-07-01', rules: { severity: 'high' } }),
    ]);
    const verdict = evaluate([buildBundle({ vulnerabilities: [critical] })], policySet, { now: NOW });

    const markdown = renderMarkdown(verdictOutcome(verdict), { now: NOW });
    const comment = renderPrComment(verdictOutcome(verdict), { now: NOW });

    expect(markdown).toContain('<details><summary>🕶️ next-quarter would block: 1 violation (shadow policy, never blocks)</summary>');
    expect(markdown).toContain('<details><summary>🕶️ strict would block: 1 violation (blocks from 2026-07-01)</summary>');
    expect(markdown.split('\n')[0]).toBe('### ✅ 1 image allowed');
    const headline = comment.slice(0, comment.indexOf('<details>'));
    expect(headline).toContain('image assurance policies');
    expect(headline).not.toContain('next-quarter');
    expect(headline).not.toContain('blocked');
  });

  it('SARIF reports a shadow policy as a note', () => {
    const policySet = buildPolicySet([buildPolicy({ name: 'next-quarter', enforcement: 'shadow', rules: { severity: 'high' } })]);
    const verdict = evaluate([buildBundle({ vulnerabilities: [critical] })], policySet, { now: NOW });

    const sarif = renderSarif(verdict, { toolVersion: '1.2.3' }) as { runs: { results: { level: string }[] }[] };

    expect(sarif.runs[0]?.results.map((result) => result.level)).toEqual(['note']);
  });

  it('enforce_from on a warn or shadow policy is an error at its place', () => {
    const text = ['version: 1', 'policies:', '  - name: strict', '    enforcement: warn', '    enforce_from: 2027-01-01', '    rules: { severity: high }', ''].join('\n');

    const problems = problemsOf(() => parsePolicyFile({ file: '.github/image-assurance.yml', text, origin: 'repo' }));

    expect(problems).toEqual([
      expect.objectContaining({ file: '.github/image-assurance.yml', line: 5, message: expect.stringContaining('enforce_from applies only to block policies') }),
    ]);
  });

  it('enforce_from must be a real date', () => {
    const text = ['version: 1', 'policies:', '  - name: strict', '    enforce_from: 2027-02-30', ''].join('\n');

    const problems = problemsOf(() => parsePolicyFile({ file: '.github/image-assurance.yml', text, origin: 'repo' }));

    expect(problems).toEqual([expect.objectContaining({ line: 4, message: expect.stringContaining('calendar date') })]);
  });

  it("a shadow policy's section says how many recent commits it would have blocked", () => {
    const policySet = buildPolicySet([buildPolicy({ name: 'next-quarter', enforcement: 'shadow', rules: { severity: 'high' } }), buildPolicy({ name: 'gate', rules: { severity: 'critical' } })]);
    const blocked = evaluate([buildBundle({ vulnerabilities: [buildVulnerability({ severity: 'high' })] })], policySet, { now: NOW });
    const clean = evaluate([buildBundle({ vulnerabilities: [] })], policySet, { now: NOW });
    const history = summarizePolicyHistory([
      { sha: 'c1', evaluatedAt: '2026-06-14T00:00:00Z', policies: policyOutcomesOf(blocked) },
      { sha: 'c2', evaluatedAt: '2026-06-13T00:00:00Z', policies: policyOutcomesOf(clean) },
      { sha: 'c3', evaluatedAt: '2026-06-12T00:00:00Z', policies: policyOutcomesOf(blocked) },
    ]);

    const markdown = renderMarkdown({ ...verdictOutcome(blocked), policyHistory: history }, { now: NOW });

    expect(history).toEqual({ 'next-quarter': { failed: 2, judged: 3, days: 30 }, gate: { failed: 0, judged: 3, days: 30 } });
    expect(markdown).toContain('Would have blocked 2 of the last 3 commits judged here (30 days).');
    expect(markdown.match(/Would have blocked/g)).toHaveLength(1);
  });
});
