/**
 * `npm run bench`: the figures behind the product's speed and size claims, measured side by side in
 * one run, written to bench/results.json and printed as a table.
 *
 * 1. Evaluation: a generated Trivy report with 100,000 vulnerabilities over 20,000 packages and the
 *    largest real fixtures, each against bench/policies.yml (10 policies, every rule): a bare
 *    JSON.parse of the same bytes vs read+normalize, group and evaluate; the ratio.
 * 2. Peak RSS of a fresh process doing the same for the 100k report, against 3× its size + 100 MB.
 * 3. The Lambda side (bench/lambda.ts): bundle sizes, import times, webhook ack latency, delivery-to-check.
 * 4. GitHub's rate limit (bench/github-requests.ts): requests one single-image run costs, cold and steady.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPolicySet } from '../src/policy/load.ts';
import { createResolver } from '../src/policy/load-presets.ts';
import { benchGitHubRequests, type GitHubRequestFigures } from './github-requests.ts';
import { generateTrivyReport } from './generate-trivy.ts';
import { measureEvaluation, round, type EvaluationFigures } from './measure.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TMP = join(ROOT, 'bench/tmp');
const FIXTURES = resolve(ROOT, '../shared/fixtures/scans');
const MB = 1024 * 1024;

const GENERATED = { vulnerabilities: 100_000, packages: 20_000 };
const REAL_FIXTURES = ['grype/many_vulns2.json', 'trivy/juice-shop-v10.2.0.json', 'grype/many_vulns3.json', 'trivy/sarif/image-sarif.test.json'];

async function main(): Promise<void> {
  const onlyEvaluation = process.argv.includes('--evaluation-only');
  mkdirSync(TMP, { recursive: true });
  const policyPath = join(ROOT, 'bench/policies.yml');
  const policySet = await loadPolicySet([{ file: 'bench/policies.yml', text: readFileSync(policyPath, 'utf8'), origin: 'cli' }], createResolver({}));

  // 1. evaluation
  const generatedPath = join(TMP, `trivy-${GENERATED.vulnerabilities}.json`);
  if (!existsSync(generatedPath)) writeFileSync(generatedPath, generateTrivyReport(GENERATED));
  const evaluation: EvaluationFigures[] = [
    measureEvaluation(`generated trivy ${GENERATED.vulnerabilities / 1000}k vulns / ${GENERATED.packages / 1000}k pkgs`, generatedPath, readFileSync(generatedPath), policySet, 7),
  ];
  for (const fixture of REAL_FIXTURES) {
    const path = join(FIXTURES, fixture);
    if (!existsSync(path)) throw new Error(`fixture ${fixture} is missing: expected ../shared/fixtures beside the repository`);
    evaluation.push(measureEvaluation(fixture, path, readFileSync(path), policySet, 25));
  }

  // 2. peak RSS in a fresh process
  const rssOut = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/rss.ts'), generatedPath, policyPath], { cwd: ROOT, encoding: 'utf8' });
  const rss = JSON.parse(rssOut) as { peakRssBytes: number; baselineRssBytes: number };
  const fileBytes = statSync(generatedPath).size;
  const memory = {
    fileMB: round(fileBytes / MB, 1),
    peakRssMB: round(rss.peakRssBytes / MB, 1),
    baselineRssMB: round(rss.baselineRssBytes / MB, 1),
    goalMB: round((3 * fileBytes) / MB + 100, 1),
    ratioToFile: round(rss.peakRssBytes / fileBytes, 2),
  };

  // 3. Lambda side
  let lambda: Record<string, unknown> | undefined;
  if (!onlyEvaluation) {
    const { benchLambda } = (await import('./lambda.ts')) as { benchLambda: () => Promise<Record<string, unknown>> };
    lambda = await benchLambda();
  }

  // 4. GitHub requests
  const githubRequests = onlyEvaluation ? undefined : await benchGitHubRequests();

  const results = { measuredAt: new Date().toISOString(), node: process.version, cpus: os().cpus, evaluation, memory, lambda, githubRequests };
  writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  printTable(evaluation, memory, lambda);
  if (githubRequests) printGitHubRequests(githubRequests);
}

function printGitHubRequests(figures: GitHubRequestFigures): void {
  console.log(
    `\nGitHub requests, one single-image workflow run without a pull request: ${figures.cold.count} cold, ` +
      `${figures.steadyState.count} in steady state (+${figures.steadyState.notModified} free 304s); goal ≤ ${figures.goal.limit}`,
  );
}

function os(): { cpus: string } {
  const cpus = execFileSync('nproc', { encoding: 'utf8' }).trim();
  return { cpus };
}

function printTable(evaluation: EvaluationFigures[], memory: Record<string, number>, lambda: Record<string, unknown> | undefined): void {
  const rows = evaluation.map((e) => [
    e.name,
    `${round(e.bytes / MB, 1)} MB`,
    String(e.findings),
    `${e.jsonParseMs} ms`,
    `${e.readNormalizeMs} ms`,
    `${e.groupMs} ms`,
    `${e.evaluateMs} ms`,
    `${e.ratio}×`,
  ]);
  const header = ['input', 'size', 'findings', 'JSON.parse', 'read+normalize', 'group', 'evaluate', 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(`\npeak RSS (100k report, fresh process): ${memory.peakRssMB} MB for a ${memory.fileMB} MB file; goal ≤ ${memory.goalMB} MB (3× file + 100 MB)`);
  if (lambda) console.log(`\nlambda: ${JSON.stringify(lambda, null, 2)}`);
  console.log('\nwritten to bench/results.json');
}

await main();
