import { groupReports } from '../bundles/group-reports.ts';
import { previewPolicyChange } from '../engine/preview.ts';
import { findLoosenings } from '../policy/loosening.ts';
import { loadPolicySet, type PolicySource } from '../policy/load.ts';
import type { PolicySet } from '../policy/schema.ts';
import { createResolver } from '../policy/load-presets.ts';
import { renderPreviewJson, renderPreviewMarkdown, renderPreviewText } from '../render/preview.ts';
import { parseArgs, usage } from './args.ts';
import { readNow } from './evaluate.ts';
import { loadPolicySource, loadReports } from './load-inputs.ts';
import { EXIT_ALLOWED, type CliIo } from './main.ts';

const PREVIEW_FORMATS = ['text', 'json', 'markdown'] as const;
type PreviewFormat = (typeof PREVIEW_FORMATS)[number];

const FLAGS = {
  'base-policy': { isList: true },
  policy: { isList: true },
  report: { isList: true },
  image: {},
  branch: {},
  env: {},
  now: {},
  format: {},
  'org-policy': {},
} as const;

/**
 * `image-assurance preview`: what a policy change would block, before it merges.
 * 1. read the base and the proposed policy files (each with the same `--org-policy`);
 * 2. read every report and group them into bundles;
 * 3. judge the bundles under both and compare image by image; list what loosens the gate;
 * 4. render; always exit 0 (a preview blocks nothing).
 */
export async function runPreview(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (args.positionals.length > 0) throw usage(`unexpected argument "${args.positionals[0]}"`);
  const format = readPreviewFormat(args.values.format?.[0]);
  const now = readNow(args.values.now?.[0]);
  const basePaths = args.values['base-policy'] ?? [];
  const proposedPaths = args.values.policy ?? [];
  const reportPaths = args.values.report ?? [];
  if (basePaths.length === 0) throw usage('--base-policy FILE is required: the policy files as they are now');
  if (proposedPaths.length === 0) throw usage('--policy FILE is required: the policy files as proposed');
  if (reportPaths.length === 0) throw usage('--report FILE_OR_DIR is required');

  // 1. policies, before and after
  const orgFile = args.values['org-policy']?.[0];
  const orgSource: PolicySource | undefined = orgFile ? { ...loadPolicySource(orgFile, io.cwd), origin: 'org' } : undefined;
  const load = (refs: readonly string[]): Promise<PolicySet> =>
    loadPolicySet(
      refs.map((ref) => loadPolicySource(ref, io.cwd)),
      createResolver({ org: async () => orgSource }),
    );
  const [base, proposed] = [await load(basePaths), await load(proposedPaths)];

  // 2. reports → bundles
  const image = args.values.image?.[0];
  const bundles = groupReports(loadReports(reportPaths, io.cwd), image === undefined ? {} : { image });

  // 3. replay
  const branch = args.values.branch?.[0];
  const environment = args.values.env?.[0];
  const preview = previewPolicyChange(bundles, base, proposed, {
    now,
    ...(branch === undefined ? {} : { branch }),
    ...(environment === undefined ? {} : { environment }),
  });
  const report = { preview, loosenings: findLoosenings(base, proposed) };

  // 4. render
  if (format === 'json') io.stdout.write(`${JSON.stringify(renderPreviewJson(report), null, 2)}\n`);
  else if (format === 'markdown') io.stdout.write(renderPreviewMarkdown(report));
  else io.stdout.write(renderPreviewText(report));
  return EXIT_ALLOWED;
}

function readPreviewFormat(raw: string | undefined): PreviewFormat {
  if (raw === undefined) return 'text';
  if ((PREVIEW_FORMATS as readonly string[]).includes(raw)) return raw as PreviewFormat;
  throw usage(`--format "${raw}" is not one of: ${PREVIEW_FORMATS.join(', ')}`);
}
