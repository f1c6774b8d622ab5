/**
 * Child process for the peak-RSS figure: read one report from disk as the CLI does (its
 * loadReports), group and evaluate, then print the process's peak resident set size as JSON.
 */
import { readFileSync } from 'node:fs';
import { dirname, basename } from 'node:path';
import { groupReports } from '../src/bundles/group-reports.ts';
import { loadReports } from '../src/cli/load-inputs.ts';
import { evaluate } from '../src/engine/evaluate.ts';
import { loadPolicySet } from '../src/policy/load.ts';
import { createResolver } from '../src/policy/load-presets.ts';

const [reportPath, policyPath] = process.argv.slice(2) as [string, string];
const policySet = await loadPolicySet([{ file: policyPath, text: readFileSync(policyPath, 'utf8'), origin: 'cli' }], createResolver({}));
const baselineRssBytes = process.memoryUsage().rss;
const bundles = groupReports(loadReports([basename(reportPath)], dirname(reportPath)));
const verdict = evaluate(bundles, policySet, { now: new Date('2026-11-26T00:00:00Z') });
process.stdout.write(
  JSON.stringify({ peakRssBytes: process.resourceUsage().maxRSS * 1024, baselineRssBytes, allowed: verdict.allowed }),
);
