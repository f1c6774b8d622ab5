/**
 * `npm run bench`: the figures behind the product's speed and size claims, measured side by side in
 * one run, written to bench/results.json and printed as a table.
 *
 * 1. Evaluation: a generated Trivy report with 100,000 vulnerabilities over 20,000 packages and the
 *    largest real fixtures, each against bench/policies.yml (10 policies, every rule): a bare
 *    JSON.parse of the same bytes vs read+normalize, group and evaluate; the ratio.
 * 2. Peak RSS for the 100k report against 2× its size + 100 MB: of a fresh process doing the same
 *    in-process steps through tsx (bench/rss.ts), and of the packed CLI's whole `evaluate --format json`
 *    (part 5), which is the figure the goal is judged by: it is what a user runs.
 * 3. The Lambda side (bench/lambda.ts): bundle sizes, import times, webhook ack latency, delivery-to-check.
 * 4. GitHub's rate limit (bench/github-requests.ts): requests one single-image run costs, cold and steady.
 * 5. The packed command line as a user runs it (`npm pack dist/cli`, unpacked, no node_modules): the
 *    whole `evaluate` process on the 100k report vs a `node -e` JSON.parse of the same file, its
 *    peak RSS, and the cold start of `--version` (packed, and the clone's bin) vs a bare `node -e ''`.
 *    `--cli-only` measures this part alone and prints it without writing results.json.
 *
 * The run ends with the four goals of issue 9 side by side (in-process ratio, whole-process ratio,
 * peak RSS, cold start), each met or not, with the machine's load average: the machine is shared.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPolicySet } from '../src/policy/load.ts';
import { createResolver } from '../src/policy/load-presets.ts';
import { benchGitHubRequests, type GitHubRequestFigures } from './github-requests.ts';
import { generateTrivyReport } from './generate-trivy.ts';
import { measureEvaluation, median, round, type EvaluationFigures } from './measure.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TMP = join(ROOT, 'bench/tmp');
const FIXTURES = resolve(ROOT, '../shared/fixtures/scans');
const MB = 1024 * 1024;

const GENERATED = { vulnerabilities: 100_000, packages: 20_000 };
/** The goals for the generated 100k report: in-process (read+normalize, group, evaluate) / JSON.parse, and peak RSS. */
const RATIO_GOAL = 1.3;
const RSS_GOAL = { fileFactor: 2, plusMB: 100 };
const REAL_FIXTURES = ['grype/many_vulns2.json', 'trivy/juice-shop-v10.2.0.json', 'grype/many_vulns3.json', 'trivy/sarif/image-sarif.test.json'];

async function main(): Promise<void> {
  const onlyEvaluation = process.argv.includes('--evaluation-only');
  mkdirSync(TMP, { recursive: true });
  const policyPath = join(ROOT, 'bench/policies.yml');
  const policySet = await loadPolicySet([{ file: 'bench/policies.yml', text: readFileSync(policyPath, 'utf8'), origin: 'cli' }], createResolver({}));

  // 1. evaluation
  const generatedPath = join(TMP, `trivy-${GENERATED.vulnerabilities}.json`);
  if (!existsSync(generatedPath)) writeFileSync(generatedPath, generateTrivyReport(GENERATED));
  if (process.argv.includes('--cli-only')) {
    printPackedCli(benchPackedCli(generatedPath, policyPath));
    return;
  }
  const evaluation: EvaluationFigures[] = [
    measureEvaluation(`generated trivy ${GENERATED.vulnerabilities / 1000}k vulns / ${GENERATED.packages / 1000}k pkgs`, generatedPath, readFileSync(generatedPath), policySet, 11),
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
    goalMB: round((RSS_GOAL.fileFactor * fileBytes) / MB + RSS_GOAL.plusMB, 1),
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

  // 5. the packed command line
  const packedCli = onlyEvaluation ? undefined : benchPackedCli(generatedPath, policyPath);

  const goals = evaluationGoals(evaluation[0]!, memory, packedCli);
  const results = { measuredAt: new Date().toISOString(), node: process.version, cpus: os().cpus, loadAverage: loadAverage(), evaluation, memory, goals, lambda, githubRequests, packedCli };
  writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  printTable(evaluation, memory, lambda);
  if (githubRequests) printGitHubRequests(githubRequests);
  if (packedCli) printPackedCli(packedCli);
  printGoals(goals);
}

interface Goal {
  goal: string;
  measured: string;
  met: boolean;
}

/** The goals of issue 9, side by side: the 100k report in-process and as a whole packed process, its peak RSS, and the cold start. */
function evaluationGoals(generated: EvaluationFigures, memory: { peakRssMB: number; goalMB: number }, packed: PackedCliFigures | undefined): Goal[] {
  const goals: Goal[] = [
    {
      goal: `in-process (read+normalize, group, evaluate) / JSON.parse ≤ ${RATIO_GOAL}×`,
      measured: `${generated.ratio}× (${generated.ratioWithJson}× with --format json of every violation)`,
      met: generated.ratio <= RATIO_GOAL,
    },
  ];
  if (packed === undefined) {
    goals.push({ goal: `peak RSS ≤ ${RSS_GOAL.fileFactor}× file + ${RSS_GOAL.plusMB} MB (${memory.goalMB} MB), in-process through tsx`, measured: `${memory.peakRssMB} MB`, met: memory.peakRssMB <= memory.goalMB });
    return goals;
  }
  const { wholeProcess: w, coldStart: c, peakRss: r } = packed;
  goals.push(
    { goal: `whole packed evaluate --format json / node -e JSON.parse ≤ ${w.goal}× (then ${w.stretchGoal}×)`, measured: `${w.ratioJson}× (text ${w.ratioText}×)`, met: w.met },
    {
      goal: `peak RSS ≤ ${RSS_GOAL.fileFactor}× file + ${RSS_GOAL.plusMB} MB (${memory.goalMB} MB), packed evaluate --format json`,
      measured: `${r.packedEvaluateMB} MB (node -e JSON.parse ${r.jsonParseProcessMB} MB; in-process through tsx ${memory.peakRssMB} MB)`,
      met: r.packedEvaluateMB <= memory.goalMB,
    },
    { goal: `cold start --version / bare node ≤ ${c.goal}×`, measured: `clone bin ${c.ratioCloneBin}×, packed ${c.ratioPacked}×`, met: c.met },
  );
  return goals;
}

function printGoals(goals: readonly Goal[]): void {
  const [one, five, fifteen] = loadAverage();
  console.log(`\ngoals (generated 100k report), load average ${one} / ${five} / ${fifteen} on ${os().cpus} cores:`);
  for (const goal of goals) console.log(`  ${goal.met ? 'met    ' : 'NOT MET'}  ${goal.goal}: ${goal.measured}`);
}

/** The 1, 5 and 15 minute load averages: how busy the shared machine was during the run. */
function loadAverage(): number[] {
  return readFileSync('/proc/loadavg', 'utf8').trim().split(/\s+/).slice(0, 3).map(Number);
}

interface PackedCliFigures {
  tarballBytes: number;
  report: { path: string; bytes: number };
  /** `node -e` reading and JSON.parse-ing the report vs the packed CLI's whole `evaluate` process: times are medians, ratios the median of each round's own. */
  wholeProcess: { runs: number; jsonParseProcessMs: number; evaluateJsonMs: number; evaluateTextMs: number; ratioJson: number; ratioText: number; goal: number; stretchGoal: number; met: boolean };
  /** Peak RSS (maxRSS at exit) of one packed `evaluate --format json` and of one `node -e` JSON.parse, on the report. */
  peakRss: { packedEvaluateMB: number; jsonParseProcessMB: number };
  /** `--version` in a fresh process vs a bare `node -e ''`, medians. */
  coldStart: { runs: number; bareNodeMs: number; packedMs: number; cloneBinMs: number; npxMs: number; ratioPacked: number; ratioCloneBin: number; ratioNpx: number; goal: number; met: boolean };
}

const PACKED_DIR = join(TMP, 'packed');

/**
 * 5. Builds dist/cli (so the clone's bin is fresh too), packs it, unpacks the tarball into
 * bench/tmp/packed/ and times whole processes, each kind alternating with its baseline so that the
 * machine's load drifts over both alike.
 */
function benchPackedCli(reportPath: string, policyPath: string): PackedCliFigures {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'cli'], { cwd: ROOT, stdio: 'pipe' });
  rmSync(PACKED_DIR, { recursive: true, force: true });
  mkdirSync(PACKED_DIR, { recursive: true });
  const [packed] = JSON.parse(execFileSync('npm', ['pack', join(ROOT, 'dist/cli'), '--pack-destination', PACKED_DIR, '--json', '--silent'], { cwd: PACKED_DIR, encoding: 'utf8' })) as { filename: string }[];
  const tarball = join(PACKED_DIR, packed!.filename);
  execFileSync('tar', ['-xzf', tarball, '-C', PACKED_DIR]);
  const cli = join(PACKED_DIR, 'package/image-assurance.mjs');

  const evaluate = (format: string): string[] => [cli, 'evaluate', '--policy', policyPath, '--report', reportPath, '--now', '2026-11-26', '--branch', 'main', '--env', 'production', '--format', format];
  const parse = ['-e', 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))', reportPath];
  const processRuns = 9;
  const wholeRounds = alternateRounds(processRuns, { parse, json: evaluate('json'), text: evaluate('text') });
  const whole = mediansOf(wholeRounds);
  const ratioJson = pairedRatio(wholeRounds, 'json', 'parse');
  const ratioText = pairedRatio(wholeRounds, 'text', 'parse');
  const goal = 1.5;

  const peakRss = { packedEvaluateMB: round(peakRssBytes(evaluate('json')) / MB, 1), jsonParseProcessMB: round(peakRssBytes(parse) / MB, 1) };

  const startRuns = 20;
  const bin = join(ROOT, 'bin/image-assurance.mjs');
  const start = alternate(startRuns, { bare: ['-e', ''], packed: [cli, '--version'], cloneBin: [bin, '--version'] });
  const npxMs = medianWallMs('npx', ['--no-install', 'image-assurance', '--version'], 5);
  return {
    tarballBytes: statSync(tarball).size,
    report: { path: relative(ROOT, reportPath), bytes: statSync(reportPath).size },
    wholeProcess: {
      runs: processRuns,
      jsonParseProcessMs: round(whole.parse!),
      evaluateJsonMs: round(whole.json!),
      evaluateTextMs: round(whole.text!),
      ratioJson: round(ratioJson, 3),
      ratioText: round(ratioText, 3),
      goal,
      stretchGoal: 1.2,
      met: ratioJson <= goal,
    },
    peakRss,
    coldStart: {
      runs: startRuns,
      bareNodeMs: round(start.bare!, 1),
      packedMs: round(start.packed!, 1),
      cloneBinMs: round(start.cloneBin!, 1),
      npxMs: round(npxMs, 1),
      ratioPacked: round(start.packed! / start.bare!, 2),
      ratioCloneBin: round(start.cloneBin! / start.bare!, 2),
      ratioNpx: round(npxMs / start.bare!, 2),
      goal: 3,
      met: start.cloneBin! / start.bare! <= 3,
    },
  };
}

/** `runs` rounds of every node command in turn; the median wall time of each. Output goes to a file, as `> verdict` would. */
function alternate(runs: number, commands: Record<string, string[]>): Record<string, number> {
  return mediansOf(alternateRounds(runs, commands));
}

/** `runs` rounds of every node command in turn: each round's wall times. */
function alternateRounds(runs: number, commands: Record<string, string[]>): Record<string, number>[] {
  const rounds: Record<string, number>[] = [];
  for (let run = 0; run < runs; run++) {
    const round: Record<string, number> = {};
    for (const [name, args] of Object.entries(commands)) round[name] = wallMs(process.execPath, args);
    rounds.push(round);
  }
  return rounds;
}

function mediansOf(rounds: readonly Record<string, number>[]): Record<string, number> {
  return Object.fromEntries(Object.keys(rounds[0] ?? {}).map((name) => [name, median(rounds.map((round) => round[name]!))]));
}

/** The median of each round's own `name / baseline`: times taken seconds apart, on a shared machine, compared with each other. */
function pairedRatio(rounds: readonly Record<string, number>[], name: string, baseline: string): number {
  return median(rounds.map((round) => round[name]! / round[baseline]!));
}

/** A node process's peak resident set size, which it reports itself at exit (a preloaded module; it adds nothing measurable). */
function peakRssBytes(args: string[]): number {
  const preload = 'data:text/javascript,process.on("exit",()=>process.stderr.write("\\npeak-rss-kb:"+process.resourceUsage().maxRSS+"\\n"))';
  const out = openSync(join(TMP, 'process-output'), 'w');
  const result = spawnSync(process.execPath, ['--import', preload, ...args], { cwd: ROOT, stdio: ['ignore', out, 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  closeSync(out);
  const kb = /peak-rss-kb:(\d+)/.exec(result.stderr.toString())?.[1];
  if ((result.status !== 0 && result.status !== 1) || kb === undefined) throw new Error(`peak RSS of ${args.join(' ')}: ${result.stderr.toString()}`);
  return Number(kb) * 1024;
}

function medianWallMs(command: string, args: string[], runs: number): number {
  return median(Array.from({ length: runs }, () => wallMs(command, args)));
}

/** One process's wall time; exit 0 (allowed) or 1 (blocked) is a run, anything else a failure. */
function wallMs(command: string, args: string[]): number {
  const out = openSync(join(TMP, 'process-output'), 'w');
  const start = performance.now();
  const result = spawnSync(command, args, { cwd: ROOT, stdio: ['ignore', out, 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - start;
  closeSync(out);
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr.toString()}`);
  return ms;
}

function printPackedCli(figures: PackedCliFigures): void {
  const { wholeProcess: w, coldStart: c } = figures;
  console.log(`
packed CLI (tarball ${round(figures.tarballBytes / 1024, 0)} KB), ${figures.report.path} (${round(figures.report.bytes / MB, 1)} MB) against bench/policies.yml, medians of ${w.runs} (ratios: the median of each round's own):`);
  console.log(`  node -e JSON.parse ${w.jsonParseProcessMs} ms; evaluate --format json ${w.evaluateJsonMs} ms (${w.ratioJson}×), --format text ${w.evaluateTextMs} ms (${w.ratioText}×); goal ≤ ${w.goal}×, stretch ${w.stretchGoal}×`);
  console.log(`peak RSS: packed evaluate --format json ${figures.peakRss.packedEvaluateMB} MB; node -e JSON.parse ${figures.peakRss.jsonParseProcessMB} MB`);
  console.log(`cold start --version, medians of ${c.runs}: bare node ${c.bareNodeMs} ms; packed ${c.packedMs} ms (${c.ratioPacked}×); clone bin ${c.cloneBinMs} ms (${c.ratioCloneBin}×); npx ${c.npxMs} ms (${c.ratioNpx}×, npm's own start included); goal ≤ ${c.goal}×`);
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
    `${e.renderJsonMs} ms`,
    `${e.ratioWithJson}×`,
  ]);
  const header = ['input', 'size', 'findings', 'JSON.parse', 'read+normalize', 'group', 'evaluate', 'ratio', 'render json', 'ratio with json'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(`\npeak RSS (100k report, fresh process): ${memory.peakRssMB} MB for a ${memory.fileMB} MB file; goal ≤ ${memory.goalMB} MB (${RSS_GOAL.fileFactor}× file + ${RSS_GOAL.plusMB} MB)`);
  if (lambda) console.log(`\nlambda: ${JSON.stringify(lambda, null, 2)}`);
  console.log('\nwritten to bench/results.json');
}

await main();
