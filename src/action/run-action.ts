import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError, formatProblem } from '../errors.ts';
import { EXIT_ALLOWED, EXIT_BLOCKED, main, type CliIo } from '../cli/main.ts';
import { isVerdictBlocked } from '../model/blocked.ts';
import type { Enforcement, Verdict } from '../model/verdict.ts';
import { readVersion } from '../cli/version.ts';
import { readActionInputs, type ActionInputs } from './inputs.ts';
import { fitStepSummary, formatAnnotation, formatOutput, MAX_ANNOTATIONS_PER_LEVEL } from './workflow-commands.ts';

/**
 * The GitHub Action (action.yml): `image-assurance evaluate` run through the command line's own
 * `main`, so every flag and format the command line has, the Action has.
 * 1. read the inputs into the command line's arguments, with one `--now` for every run below;
 * 2. evaluate as `--format json` (SPEC §3's contract): the verdict the rest is decided from;
 * 3. append `--format markdown` to $GITHUB_STEP_SUMMARY, print the text verdict to the log;
 * 4. write the verdict file in the asked format;
 * 5. annotate each violation (`::error` blocking, `::warning` warning), set the outputs;
 * 6. exit 1 when an image is blocked and `fail` is true; bad input always exits 1 (fail closed).
 * The reports are read once per format; the verdicts agree since `now` is the same.
 */

export interface ActionIo {
  stdout: { write(text: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  now: Date;
}

const EXIT_FAILED = 1;

const EXTENSION_OF: Readonly<Record<string, string>> = { json: 'json', sarif: 'sarif', markdown: 'md', text: 'txt' };

export async function runAction(io: ActionIo): Promise<number> {
  io.stdout.write(`Image Assurance ${readVersion()}\n`);
  // 1. inputs
  let inputs: ActionInputs;
  try {
    inputs = readActionInputs(io.env);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return failWithProblems(error.problems.map(formatProblem), io);
  }
  const argv = evaluateArgv(inputs, io.now);

  // 2. the verdict
  const json = await runCli([...argv, '--format', 'json'], io);
  if (json.code !== EXIT_ALLOWED && json.code !== EXIT_BLOCKED) {
    return failWithProblems(json.stderr.split('\n').filter(Boolean), io);
  }
  io.stdout.write(json.stderr);
  const verdict = JSON.parse(json.stdout) as Verdict;

  // 3. step summary and log
  const markdown = await runFormat(argv, 'markdown', io);
  appendEnvFile(io, 'GITHUB_STEP_SUMMARY', fitStepSummary(markdown, `_Cut at GitHub's 1 MiB step summary limit: the whole verdict is in the verdict file._`));
  io.stdout.write(await runFormat(argv, 'text', io));

  // 4. verdict file
  const verdictFile = resolve(io.cwd, inputs.output ?? join(io.env.RUNNER_TEMP ?? io.cwd, 'image-assurance', `verdict.${EXTENSION_OF[inputs.format] ?? inputs.format}`));
  const byFormat: Record<string, string> = { json: json.stdout, markdown };
  mkdirSync(dirname(verdictFile), { recursive: true });
  writeFileSync(verdictFile, byFormat[inputs.format] ?? (await runFormat(argv, inputs.format, io)));

  // 5. annotations and outputs
  for (const line of renderAnnotations(verdict)) io.stdout.write(line);
  appendEnvFile(io, 'GITHUB_OUTPUT', formatOutput('allowed', String(verdict.allowed)) + formatOutput('verdict-file', verdictFile));

  // 6. exit code
  return isVerdictBlocked(verdict) && inputs.isFailOnBlock ? EXIT_FAILED : EXIT_ALLOWED;
}

/** The inputs as `image-assurance evaluate` arguments, without `--format`. */
export function evaluateArgv(inputs: ActionInputs, now: Date): string[] {
  const flag = (name: string, value: string | undefined): string[] => (value === undefined ? [] : [`--${name}`, value]);
  return [
    'evaluate',
    ...inputs.reports.flatMap((report) => ['--report', report]),
    ...inputs.policies.flatMap((policy) => ['--policy', policy]),
    ...inputs.vex.flatMap((vex) => ['--vex', vex]),
    ...inputs.baseline.flatMap((baseline) => ['--baseline', baseline]),
    ...flag('image', inputs.image),
    ...flag('branch', inputs.branch),
    ...flag('env', inputs.environment),
    ...flag('org-policy', inputs.orgPolicy),
    '--now',
    now.toISOString(),
    ...inputs.args,
  ];
}

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

async function runCli(argv: readonly string[], io: ActionIo): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const cliIo: CliIo = {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text) },
    cwd: io.cwd,
    env: io.env,
  };
  const code = await main(argv, cliIo);
  return { code, stdout, stderr };
}

/** A second rendering of the verdict step 2 judged: the same inputs, so anything but 0 or 1 is a fault. */
async function runFormat(argv: readonly string[], format: string, io: ActionIo): Promise<string> {
  const run = await runCli([...argv, '--format', format], io);
  if (run.code !== EXIT_ALLOWED && run.code !== EXIT_BLOCKED) throw new Error(`--format ${format} failed where --format json did not: ${run.stderr.trim()}`);
  return run.stdout;
}

const VERB_OF: Readonly<Record<Enforcement, string>> = { block: 'blocked by', warn: 'warned by', shadow: 'would be blocked by' };

/**
 * One annotation per violation: `::error` for a block policy, `::warning` for a warn or shadow
 * policy and for the inherited or newly disclosed findings of a `findings: introduced` policy.
 * Past GitHub's 10 per level the last one shown counts the rest.
 */
export function renderAnnotations(verdict: Verdict): string[] {
  const found: Record<'error' | 'warning', { title: string; message: string }[]> = { error: [], warning: [] };
  for (const image of verdict.images) {
    for (const policy of image.policies) {
      const level = policy.enforcement === 'block' ? 'error' : 'warning';
      for (const violation of policy.violations) {
        found[level].push({ title: `${image.image} ${VERB_OF[policy.enforcement]} ${policy.name} (${violation.rule})`, message: violation.message });
      }
      // Under `findings: introduced`, what the change did not bring is shown, never blocking.
      for (const warning of policy.warnings ?? []) {
        found.warning.push({ title: `${image.image} ${warning.attribution ?? 'inherited'} under ${policy.name} (${warning.rule})`, message: warning.message });
      }
    }
  }
  return (['error', 'warning'] as const).flatMap((level) => {
    const all = found[level];
    const shown = all.length > MAX_ANNOTATIONS_PER_LEVEL ? all.slice(0, MAX_ANNOTATIONS_PER_LEVEL - 1) : all;
    const lines = shown.map(({ title, message }) => formatAnnotation(level, message, { title }));
    const rest = all.length - shown.length;
    if (rest > 0) lines.push(formatAnnotation(level, `${rest} more ${level === 'error' ? 'violations' : 'warnings'}: see the job summary and the verdict file`, { title: 'Image Assurance' }));
    return lines;
  });
}

/** Bad input: each problem as an `::error`, a summary that says the images were not judged, `allowed=false`. */
function failWithProblems(problems: readonly string[], io: ActionIo): number {
  const lines = problems.length > 0 ? problems : ['image-assurance stopped without saying why'];
  for (const problem of lines) io.stdout.write(formatAnnotation('error', problem, { title: 'Image Assurance: bad input' }));
  const summary = ['### 🚫 Image Assurance could not judge the images', '', ...lines.map((line) => `- ${line.replaceAll('\n', ' ')}`), ''].join('\n');
  appendEnvFile(io, 'GITHUB_STEP_SUMMARY', summary);
  appendEnvFile(io, 'GITHUB_OUTPUT', formatOutput('allowed', 'false'));
  return EXIT_FAILED;
}

/** Appends to the file the runner names in `variable`; outside a runner, says it is skipped. */
function appendEnvFile(io: ActionIo, variable: 'GITHUB_STEP_SUMMARY' | 'GITHUB_OUTPUT', text: string): void {
  const path = io.env[variable];
  if (!path) {
    io.stdout.write(`image-assurance: ${variable} is not set (not on a GitHub runner?): not written\n`);
    return;
  }
  appendFileSync(path, text);
}
