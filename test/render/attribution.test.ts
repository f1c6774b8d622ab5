import { describe, expect, it } from 'vitest';
import { groupReports } from '../../src/bundles/group-reports.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import type { Bundle } from '../../src/model/bundle.ts';
import type { Verdict } from '../../src/model/verdict.ts';
import { readReport } from '../../src/readers/index.ts';
import { renderCheckRun } from '../../src/render/check-run.ts';
import { renderPrComment } from '../../src/render/pr-comment.ts';
import { buildPolicy, buildPolicySet } from '../helpers/build-bundle.ts';
import { readFixtureJson } from '../helpers/fixtures.ts';
import { expectGolden } from './golden.ts';
import { NOW, outcome } from './helpers.ts';

/** What people see of attribution: the check and the comment lead with the counts; each group is folded. */

function alpine(extra: Record<string, unknown>[] = []): Bundle {
  const doc = readFixtureJson<{ Results: { Vulnerabilities: Record<string, unknown>[] }[] }>('scans/trivy/alpine-39.json');
  doc.Results[0]!.Vulnerabilities.push(...extra);
  return groupReports([readReport('scans/alpine/trivy.json', new TextEncoder().encode(JSON.stringify(doc)))])[0]!;
}

function attributedVerdict(): Verdict {
  const head = alpine([
    { VulnerabilityID: 'CVE-2024-9999', PkgName: 'busybox', InstalledVersion: '1.29.3-r10', FixedVersion: '1.29.3-r11', Severity: 'CRITICAL' },
    { VulnerabilityID: 'CVE-2024-8888', PkgName: 'libssl1.1', InstalledVersion: '1.1.1b-r1', Severity: 'CRITICAL' },
  ]);
  const policySet = buildPolicySet([buildPolicy({ name: 'gate', findings: 'introduced', rules: { severity: 'critical' } })]);
  return evaluate([head], policySet, { now: NOW, baselines: new Map([[head.key, { bundle: alpine(), ref: { source: 'merge-base', sha: '0123456789abcdef0123456789abcdef01234567' } }]]) });
}

describe('src/render attribution', () => {
  it('leads the check with "1 introduced (blocking) · 2 inherited · 1 newly disclosed" and folds each group', () => {
    const check = renderCheckRun(outcome(attributedVerdict()), { now: NOW });

    expect(check.conclusion).toBe('failure');
    expect(check.summary.split('\n')[2]).toBe('**1 introduced (blocking) · 2 inherited · 1 newly disclosed**, compared with the scan of the merge base 0123456.');
    expect(check.summary).toContain('<details open><summary><b>1 introduced</b> (blocking)</summary>');
    expect(check.summary).toContain('<details><summary><b>2 inherited</b> (warnings: `findings: introduced` lets them pass)</summary>');
    expectGolden('check-run-attributed.md', check.summary);
  });

  it('leads the comment with the same counts and lists only the introduced finding as blocking', () => {
    const comment = renderPrComment(outcome(attributedVerdict()), { now: NOW });

    expect(comment.split('\n')[3]).toBe('**1 introduced (blocking) · 2 inherited · 1 newly disclosed**, compared with the scan of the merge base 0123456.');
    expect(comment).toContain('- **CVE-2024-9999** in busybox 1.29.3-r10');
    expect(comment).not.toContain('- **CVE-2019-14697**');
    expectGolden('comment-attributed.md', comment);
  });

  it('says when no baseline was stored', () => {
    const head = alpine();
    const verdict = evaluate([head], buildPolicySet([buildPolicy({ findings: 'introduced', rules: { severity: 'critical' } })]), { now: NOW, baselines: new Map() });

    const check = renderCheckRun(outcome(verdict), { now: NOW });

    expect(check.summary).toContain('**2 introduced (blocking) · 0 inherited · 0 newly disclosed**, compared with no baseline (no default-branch scan of this image is stored): every finding counts as introduced.');
  });
});
