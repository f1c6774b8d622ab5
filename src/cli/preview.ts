import { groupReports } from '../bundles/group-reports.ts';
import { previewPolicyChange } from '../engine/preview.ts';
import { findLoosenings } from '../policy/loosening.ts';
import { loadPolicySet, type PolicySource } from '../policy/load.ts';
import type { PolicySet } from '../policy/schema.ts';
import { createResolver } from '../policy/load-presets.ts';
import { renderPreviewJson, renderPreviewMarkdown, renderPreviewText } from '../render/preview.ts';
import { Command, Option } from 'commander';
import { EXIT_ALLOWED, type CliIo, type CommandContext } from './io.ts';
import { loadPolicySource, loadReports, readStdin, STDIN } from './load-inputs.ts';
import { outputOption, quietOption, readNow } from './options.ts';
import { openOutput } from './output.ts';

const PREVIEW_FORMATS = ['text', 'json', 'markdown'] as const;
type PreviewFormat = (typeof PREVIEW_FORMATS)[number];

export interface PreviewOptions {
  basePolicy: string[];
  policy: string[];
  report: string[];
  image?: string;
  branch?: string;
  env?: string;
  now?: string;
  format: PreviewFormat;
  output?: string;
  quiet?: boolean;
  orgPolicy?: string;
}

export function previewCommand(context: CommandContext): Command {
  return new Command('preview')
    .summary('what a policy change would block, image by image (always exit 0)')
    .description('Judges the same reports under the policy files as they are (--base-policy) and as proposed (--policy), and lists the images whose verdict changes and what loosens the gate.')
    .addOption(new Option('--base-policy <FILE...>', 'the policy files as they are now').makeOptionMandatory())
    .addOption(new Option('--policy <FILE...>', 'the policy files as proposed').makeOptionMandatory())
    .addOption(new Option('--report <FILE_OR_DIR...>', 'scan reports, or folders of them; - reads one report from standard input').makeOptionMandatory())
    .addOption(new Option('--image <REF>', 'the image every report is about'))
    .addOption(new Option('--branch <BRANCH>', 'the branch, for policies scoped by branches'))
    .addOption(new Option('--env <ENVIRONMENT>', 'the deployment environment, for policies scoped by environments'))
    .addOption(new Option('--now <ISO_DATE>', 'judge as of this date (exception expiry)'))
    .addOption(new Option('-f, --format <FORMAT>', 'output format').choices(PREVIEW_FORMATS).default('text'))
    .addOption(outputOption())
    .addOption(quietOption())
    .addOption(new Option('--org-policy <FILE>', 'the organization policy file that `extends: org` names'))
    .action(async (options: PreviewOptions) => context.setExitCode(await runPreview(options, context.io)));
}

/**
 * `image-assurance preview`: what a policy change would block, before it merges.
 * 1. read the base and the proposed policy files (each with the same `--org-policy`);
 * 2. read every report and group them into bundles;
 * 3. judge the bundles under both and compare image by image; list what loosens the gate;
 * 4. render; always exit 0 (a preview blocks nothing).
 */
export async function runPreview(options: PreviewOptions, io: CliIo): Promise<number> {
  const now = readNow(options.now);

  // 1. policies, before and after
  const orgFile = options.orgPolicy;
  const orgSource: PolicySource | undefined = orgFile ? { ...loadPolicySource(orgFile, io.cwd), origin: 'org' } : undefined;
  const load = (refs: readonly string[]): Promise<PolicySet> =>
    loadPolicySet(
      refs.map((ref) => loadPolicySource(ref, io.cwd)),
      createResolver({ org: async () => orgSource }),
    );
  const [base, proposed] = [await load(options.basePolicy), await load(options.policy)];

  // 2. reports → bundles
  const image = options.image;
  const stdin = options.report.includes(STDIN) ? await readStdin(io.stdin) : undefined;
  const bundles = groupReports(loadReports(options.report, io.cwd, stdin === undefined ? {} : { stdin }), image === undefined ? {} : { image });

  // 3. replay
  const branch = options.branch;
  const environment = options.env;
  const preview = previewPolicyChange(bundles, base, proposed, {
    now,
    ...(branch === undefined ? {} : { branch }),
    ...(environment === undefined ? {} : { environment }),
  });
  const report = { preview, loosenings: findLoosenings(base, proposed) };

  // 4. render
  const output = openOutput(io, { ...(options.output === undefined ? {} : { file: options.output }), quiet: options.quiet === true });
  if (options.format === 'json') output.write(`${JSON.stringify(renderPreviewJson(report), null, 2)}\n`);
  else if (options.format === 'markdown') output.write(renderPreviewMarkdown(report));
  else output.write(renderPreviewText(report));
  output.close();
  return EXIT_ALLOWED;
}
