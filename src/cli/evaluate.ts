import { Command, Option } from 'commander';
import { isVerdictBlocked } from '../model/blocked.ts';
import type { Verdict } from '../model/verdict.ts';
import { verdictOutcome } from '../render/conclusion.ts';
import { renderJson } from '../render/json.ts';
import { renderMarkdown } from '../render/markdown.ts';
import { renderSarif } from '../render/sarif.ts';
import { renderText } from '../render/text.ts';
import { EXIT_ALLOWED, EXIT_BLOCKED, type CliIo, type CommandContext } from './io.ts';
import { defaultPolicyRef, judge } from './judge.ts';
import { integerIn, outputOption, quietOption, readNow } from './options.ts';
import { openOutput, type Output } from './output.ts';
import { readVersion } from './version.ts';

export { readNow } from './options.ts';

export const OUTPUT_FORMATS = ['text', 'json', 'markdown', 'sarif'] as const;
type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Findings shown per image in text output unless `--limit` says otherwise. */
export const DEFAULT_TEXT_LIMIT = 20;

export interface EvaluateOptions {
  policy?: string[];
  report: string[];
  image?: string;
  branch?: string;
  env?: string;
  now?: string;
  format: OutputFormat;
  output?: string;
  quiet?: boolean;
  limit: number;
  exitCode: number;
  orgPolicy?: string;
  vex?: string[];
  baseline?: string[];
}

/** `image-assurance evaluate` (SPEC §3): its flags, and what it does with them. */
export function evaluateCommand(context: CommandContext): Command {
  return new Command('evaluate')
    .summary('judge scan reports against policies (exit 0 allowed, 1 blocked, 2 bad input)')
    .description(
      'Reads the reports, groups them into one bundle per image, judges each image against the policies and prints the verdict.\n' +
        'Exit code: 0 when every image is allowed, 1 (or --exit-code) when one is blocked, 2 for bad input.',
    )
    .addOption(new Option('--policy <FILE...>', 'policy files or presets (preset:baseline, preset:production); default: .github/image-assurance.yml when present, else preset:baseline'))
    .addOption(new Option('--report <FILE_OR_DIR...>', 'scan reports, or folders of them; - reads one report from standard input').makeOptionMandatory())
    .addOption(new Option('--image <REF>', 'the image every report is about (names reports that name none; an error when they name several images)'))
    .addOption(new Option('--branch <BRANCH>', 'the branch, for policies scoped by branches'))
    .addOption(new Option('--env <ENVIRONMENT>', 'the deployment environment, for policies scoped by environments'))
    .addOption(new Option('--now <ISO_DATE>', 'judge as of this date (exception expiry), e.g. 2027-01-01'))
    .addOption(new Option('-f, --format <FORMAT>', 'output format').choices(OUTPUT_FORMATS).default('text'))
    .addOption(outputOption())
    .addOption(quietOption())
    .addOption(new Option('--limit <N>', 'text output: findings shown per image; 0 shows all').argParser(integerIn(0, Number.MAX_SAFE_INTEGER)).default(DEFAULT_TEXT_LIMIT))
    .addOption(new Option('--exit-code <N>', 'exit code when an image is blocked').argParser(integerIn(0, 255)).default(EXIT_BLOCKED))
    .addOption(new Option('--org-policy <FILE>', 'the organization policy file that `extends: org` names'))
    .addOption(
      new Option('--vex <FILE_OR_DIR...>', 'OpenVEX, CycloneDX VEX or CSAF VEX documents: not_affected statements (and fixed ones pinned to the digest) suppress matching vulnerability findings'),
    )
    .addOption(
      new Option('--baseline <FILE_OR_DIR...>', "the reports of the image the change starts from (say, the default branch's build): each finding is then introduced, inherited or newly disclosed"),
    )
    .action(async (options: EvaluateOptions) => context.setExitCode(await runEvaluate(options, context.io)));
}

/**
 * 1. judge the reports (policies, reports → bundles, evaluate);
 * 2. render in the asked format to stdout or `--output`;
 * 3. exit 0 allowed, `--exit-code` (1) blocked.
 */
export async function runEvaluate(options: EvaluateOptions, io: CliIo): Promise<number> {
  const now = readNow(options.now);
  const policies = options.policy ?? [];
  if (policies.length === 0 && options.quiet !== true) io.stderr.write(`image-assurance: no --policy given; using ${defaultPolicyRef(io.cwd)}\n`);

  // 1. judge
  const verdict = await judge(
    {
      policies,
      reports: options.report,
      now,
      cwd: io.cwd,
      ...(options.image === undefined ? {} : { image: options.image }),
      ...(options.branch === undefined ? {} : { branch: options.branch }),
      ...(options.env === undefined ? {} : { environment: options.env }),
      ...(options.orgPolicy === undefined ? {} : { orgPolicy: options.orgPolicy }),
      ...(options.vex === undefined ? {} : { vex: options.vex }),
      ...(options.baseline === undefined ? {} : { baseline: options.baseline }),
    },
    io,
  );

  // 2. render
  const output = openOutput(io, { ...(options.output === undefined ? {} : { file: options.output }), quiet: options.quiet === true });
  output.write(render(verdict, options, output, now));
  output.close();

  // 3. exit code
  return isVerdictBlocked(verdict) ? options.exitCode : EXIT_ALLOWED;
}

function render(verdict: Verdict, options: EvaluateOptions, output: Output, now: Date): string {
  switch (options.format) {
    case 'json':
      return renderJson(verdict, { toolVersion: readVersion() });
    case 'markdown':
      return renderMarkdown(verdictOutcome(verdict), { now });
    case 'sarif':
      return `${JSON.stringify(renderSarif(verdict, { toolVersion: readVersion() }), null, 2)}\n`;
    case 'text':
      return renderText(verdict, { color: output.color, limit: options.limit, ...(output.width === undefined ? {} : { width: output.width }) });
  }
}
