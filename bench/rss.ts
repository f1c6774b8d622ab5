/**
 * Child process for the peak-RSS figure: read one report from disk, normalize, group and evaluate,
 * as the CLI does, then print the process's peak resident set size as JSON.
 */
import { readFileSync } from 'node:fs';
import { groupReports } from '../src/bundles/group-reports.ts';
import { evaluate } from '../src/engine/evaluate.ts';
import { loadPolicySet } from '../src/policy/load.ts';
import { createResolver } from '../src/policy/load-presets.ts';
import { readReport } from '../src/readers/index.ts';

const [reportPath, policyPath] = process.argv.slice(2) as [string, string];
const policySet = await loadPolicySet([{ file: policyPath, text: readFileSync(policyPath, 'utf8'), origin: 'cli' }], createResolver({}));
const baselineRssBytes = process.memoryUsage().rss;
const verdict = evaluate(groupReports([readReport(reportPath, readFileSync(reportPath))]), policySet, { now: new Date('2026-11-26T00:00:00Z') });
process.stdout.write(
  JSON.stringify({ peakRssBytes: process.resourceUsage().maxRSS * 1024, baselineRssBytes, allowed: verdict.allowed }),
);
