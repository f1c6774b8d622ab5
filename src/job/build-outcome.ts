import { isImageBlocked } from '../model/blocked.ts';
import type { Outcome, OutcomeProblem } from '../model/outcome.ts';
import type { ImageVerdict } from '../model/verdict.ts';
import type { ResolvedSettings } from '../policy/schema.ts';
import type { CheckState, RunContribution } from '../store/store.ts';

/**
 * The check's outcome over every run of the commit: a pure merge of the stored evidence.
 *
 * - A newer run of the same workflow file (a higher run ID) replaces that workflow's earlier
 *   contribution: its images and its problems. A re-run of one run has the same ID and replaces it
 *   when stored.
 * - Across workflows (and publishes) the strictest verdict of an image holds: blocked anywhere is
 *   blocked, and the check says when runs disagree. A later, lighter workflow that uploads a clean
 *   report for the same image cannot replace a blocking verdict.
 * - A run that left no report at all is a `missing-scan` problem (or a note with missing_scan:
 *   ignore) only while no run of the commit produced an image: a commit's other workflows (tests,
 *   lint) upload no scans, and must not fail the check of the one that does. A run whose workflow
 *   settings.scan_workflows leaves out was not read at all, and never counts as missing a scan.
 */
export function buildOutcome(state: CheckState, settings: ResolvedSettings, now: Date): Outcome {
  const { current, superseded } = latestPerWorkflow(Object.values(state.runs));
  const candidates = new Map<string, { image: ImageVerdict; from: RunContribution }[]>();
  const problems: OutcomeProblem[] = [];
  for (const contribution of current) {
    for (const [key, image] of Object.entries(contribution.images)) {
      const list = candidates.get(key) ?? [];
      list.push({ image, from: contribution });
      candidates.set(key, list);
    }
    // A run judged under several bases can report the same problem under each: once is enough.
    for (const problem of contribution.problems) if (!problems.some((known) => isSameProblem(known, problem))) problems.push(problem);
  }
  const notes = [...state.notes];
  for (const { run, by } of superseded) {
    if (run.run.id !== by.run.id) notes.push(`${runLabel(run.run)} was replaced by the newer run #${by.run.id} of the same workflow file ${run.workflow}.`);
  }
  const isUnderSeveralBases = new Set(current.map((run) => run.policyRef)).size > 1;
  const images: ImageVerdict[] = [];
  for (const list of candidates.values()) {
    const strictest = list.reduce((held, next) => (strictness(next.image) > strictness(held.image) ? next : held));
    images.push(strictest.image);
    if (new Set(list.map(({ image }) => image.status)).size > 1) notes.push(disagreementNote(strictest.image, list, isUnderSeveralBases));
  }
  if (images.length === 0) {
    const empty = current.filter((run) => !run.isExcluded && Object.keys(run.images).length === 0 && run.problems.length === 0);
    for (const { run } of empty) {
      const message = `${runLabel(run)} finished without an artifact matching ${settings.artifacts.join(', ')}, and no other run of this commit produced a report: no image was judged`;
      if (settings.missing_scan === 'fail') problems.push({ kind: 'missing-scan', message });
      else notes.push(`${message} (missing_scan: ignore).`);
    }
  }
  return {
    verdict: {
      allowed: images.every((image) => image.allowed),
      evaluated_at: now.toISOString(),
      context: {},
      sources: state.sources,
      images,
    },
    problems,
    notes: [...new Set(notes)],
    runs: [...new Map(current.map((run) => [run.run.id, run.run])).values()],
  };
}

/** Blocked over warned over allowed; an image not allowed is blocked whatever its status says. */
function strictness(image: ImageVerdict): number {
  if (isImageBlocked(image)) return 2;
  return image.status === 'warned' ? 1 : 0;
}

/** The newest contribution of each workflow file, in run order; one without a workflow stands alone. */
function latestPerWorkflow(runs: readonly RunContribution[]): { current: RunContribution[]; superseded: { run: RunContribution; by: RunContribution }[] } {
  const byWorkflow = new Map<string, RunContribution>();
  const superseded: { run: RunContribution; by: RunContribution }[] = [];
  for (const run of [...runs].sort((a, b) => a.run.id - b.run.id)) {
    // A run judged under several bases' policies is a workflow's contribution under each base.
    const key = `${run.workflow === undefined ? `run:${run.run.id}` : `workflow:${run.workflow}`}@${run.policyRef ?? ''}`;
    const earlier = byWorkflow.get(key);
    if (earlier) superseded.push({ run: earlier, by: run });
    byWorkflow.set(key, run);
  }
  return { current: [...byWorkflow.values()].sort((a, b) => a.run.id - b.run.id), superseded };
}

function disagreementNote(held: ImageVerdict, list: readonly { image: ImageVerdict; from: RunContribution }[], isUnderSeveralBases: boolean): string {
  const said = list.map(({ image, from }) => `${runLabel(from.run)}${isUnderSeveralBases && from.policyRef ? ` under ${from.policyRef}'s policy` : ''} says ${image.status}`).join(', ');
  const who = isUnderSeveralBases ? 'Workflow runs and base branches' : 'Workflow runs';
  return `${who} disagree on ${held.image}: ${said}. The strictest verdict holds (${held.status}).`;
}

function runLabel(run: RunContribution['run']): string {
  return `Workflow run "${run.name}" (#${run.id})`;
}

function isSameProblem(a: OutcomeProblem, b: OutcomeProblem): boolean {
  return a.kind === b.kind && a.message === b.message && a.file === b.file && a.line === b.line && a.col === b.col;
}
