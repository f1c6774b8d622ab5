import { groupReports } from '../bundles/group-reports.ts';
import { matchBaselines } from '../engine/match-baselines.ts';
import { evaluate } from '../engine/evaluate.ts';
import { InputError } from '../errors.ts';
import type { Verdict } from '../model/verdict.ts';
import { loadPolicySet, type PolicySource } from '../policy/load.ts';
import { createResolver } from '../policy/load-presets.ts';
import { verdictOutcome } from '../render/conclusion.ts';
import { renderJson } from '../render/json.ts';
import { renderMarkdown } from '../render/markdown.ts';
import { renderSarif } from '../render/sarif.ts';
import { renderText } from '../render/text.ts';
import { parseArgs, usage } from './args.ts';
import { DEFAULT_POLICY_FILE, loadPolicySource, loadReports, loadVexDocuments, policyFileExists } from './load-inputs.ts';
import { EXIT_ALLOWED, EXIT_BLOCKED, type CliIo } from './main.ts';

export const OUTPUT_FORMATS = ['text', 'json', 'markdown', 'sarif'] as const;
type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const FLAGS = {
  policy: { isList: true },
  report: { isList: true },
  baseline: { isList: true },
  image: {},
  branch: {},
  env: {},
  now: {},
  format: {},
  'org-policy': {},
  vex: { isList: true },
} as const;

/**
 * `image-assurance evaluate`:
 * 1. read the policy files and resolve `extends`;
 * 2. read every report and group them into bundles, and every VEX document;
 * 3. with --baseline, read the baseline image's reports and pair each image with its baseline;
 * 4. evaluate;
 * 5. render in the asked format; exit 0 allowed, 1 blocked.
 */
export async function runEvaluate(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (args.positionals.length > 0) throw usage(`unexpected argument "${args.positionals[0]}"`);
  const format = readFormat(args.values.format?.[0]);
  const now = readNow(args.values.now?.[0]);
  const reportPaths = args.values.report ?? [];
  if (reportPaths.length === 0) throw usage('--report FILE_OR_DIR is required');

  // 1. policies
  const policyRefs = args.values.policy ?? [policyFileExists(io.cwd) ? DEFAULT_POLICY_FILE : 'preset:baseline'];
  if (!args.values.policy) io.stderr.write(`image-assurance: no --policy given; using ${policyRefs[0]}\n`);
  const roots = policyRefs.map((ref) => loadPolicySource(ref, io.cwd));
  const orgFile = args.values['org-policy']?.[0];
  const orgSource: PolicySource | undefined = orgFile ? { ...loadPolicySource(orgFile, io.cwd), origin: 'org' } : undefined;
  const policySet = await loadPolicySet(roots, createResolver({ org: async () => orgSource }));

  // 2. reports → bundles
  const image = args.values.image?.[0];
  const bundles = groupReports(loadReports(reportPaths, io.cwd), image === undefined ? {} : { image });
  const vex = loadVexDocuments(args.values.vex ?? [], io.cwd);

  // 3. the baseline image's reports, when given: each finding is introduced, inherited or newly disclosed
  const baselinePaths = args.values.baseline;
  const baselines = baselinePaths === undefined ? undefined : matchBaselines(bundles, groupReports(loadReports(baselinePaths, io.cwd)), { source: 'reports' });

  // 4. evaluate
  const branch = args.values.branch?.[0];
  const environment = args.values.env?.[0];
  const verdict = evaluate(bundles, policySet, {
    now,
    vex,
    ...(baselines === undefined ? {} : { baselines }),
    ...(branch === undefined ? {} : { branch }),
    ...(environment === undefined ? {} : { environment }),
  });

  // 5. render
  io.stdout.write(render(verdict, format, io, now));
  return verdict.allowed ? EXIT_ALLOWED : EXIT_BLOCKED;
}

function render(verdict: Verdict, format: OutputFormat, io: CliIo, now: Date): string {
  switch (format) {
    case 'json':
      return renderJson(verdict);
    case 'markdown':
      return renderMarkdown(verdictOutcome(verdict), { now });
    case 'sarif':
      return `${JSON.stringify(renderSarif(verdict), null, 2)}\n`;
    case 'text':
      return renderText(verdict, { color: Boolean(io.stdout.isTTY) && !io.env?.NO_COLOR });
  }
}

function readFormat(raw: string | undefined): OutputFormat {
  if (raw === undefined) return 'text';
  if ((OUTPUT_FORMATS as readonly string[]).includes(raw)) return raw as OutputFormat;
  throw usage(`--format "${raw}" is not one of: ${OUTPUT_FORMATS.join(', ')}`);
}

/** `--now 2027-03-31` (start of that day, UTC) or a full ISO time (UTC when it names no zone); default the clock. */
export function readNow(raw: string | undefined): Date {
  if (raw === undefined) return new Date();
  const isDateOnly = /^\d{4}-\d{2}-\d{2}$/.test(raw);
  // A time without a zone is UTC, as exception expiry is: never the machine's local time.
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(raw);
  const date = new Date(isDateOnly ? `${raw}T00:00:00Z` : hasZone ? raw : `${raw}Z`);
  const isValid = !Number.isNaN(date.getTime()) && (!isDateOnly || date.toISOString().startsWith(raw));
  if (!isValid || !/^\d{4}-\d{2}-\d{2}/.test(raw)) {
    throw new InputError({ file: 'command line', message: `--now "${raw}" is not an ISO date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)` });
  }
  return date;
}
