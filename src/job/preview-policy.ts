import type { Logger } from 'probot';
import { previewPolicyChange, type PreviewChange } from '../engine/preview.ts';
import { upsertCheckRun, type CheckRunOutput } from '../github/check-runs.ts';
import type { GitHubClient } from '../github/client.ts';
import { fetchChangedFiles } from '../github/compare.ts';
import { fetchFileText } from '../github/contents.ts';
import { fetchInstallationRepositories, fetchOpenPullRequestHeads, fetchRecentCommits } from '../github/recent-commits.ts';
import type { Bundle } from '../model/bundle.ts';
import { matchesAnyGlob } from '../model/glob.ts';
import { findLoosenings, type Loosening } from '../policy/loosening.ts';
import type { PolicySet } from '../policy/schema.ts';
import { CHECK_SUMMARY_MAX_CHARS, renderCheckRun } from '../render/check-run.ts';
import { MAX_TITLE_CHARS } from '../render/title.ts';
import { repositoryOf } from '../render/format.ts';
import { previewTitle, renderPreviewMarkdown, type PreviewReport } from '../render/preview.ts';
import { plural, truncateText } from '../render/truncate.ts';
import type { Store } from '../store/store.ts';
import { loadRepoPolicy, ORG_POLICY_REPO, POLICY_FILE, type OrgPolicyCache } from './load-policy.ts';
import type { PolicyReader } from './policy-reader.ts';
import { withVex } from './load-vex.ts';
import type { RepoTarget } from '../events/repo-target.ts';

/**
 * "What would this policy change block?", answered on the pull request that makes it: a second
 * check, `<check_name>/policy-preview`, never meant to be required (conclusion `neutral`; `failure`
 * only when the proposed file does not load). It replays the base and the proposed policies over
 * the facts kept for the repository's recent images: the default branch's latest digest of each
 * image, and the heads of the open pull requests, both from the last 30 days. A pull request on
 * `<org>/.github` that edits the organization's file previews every repository of the installation.
 */

export const PREVIEW_CHECK_SUFFIX = '/policy-preview';
/** How far back the images a preview replays go. */
export const PREVIEW_WINDOW_DAYS = 30;
/** The most repositories an organization file's preview replays. */
export const MAX_PREVIEW_REPOSITORIES = 100;

export interface PreviewPolicyInput {
  octokit: GitHubClient;
  store: Store;
  target: RepoTarget;
  pull: { number: number; headSha: string; baseRef: string };
  /** The check name the base branch's settings give (`settings.check_name`). */
  checkName: string;
  /** The job's policy reader: the base branch's policy the caller read already is not read again. */
  policies: PolicyReader;
  now: Date;
  log: Logger;
}

/**
 * The preview under its own guard: it gates nothing, so a failure never fails the job (which would
 * retry the delivery and could end in the dead-letter queue's "did not finish" on the main check);
 * it ends in a preview check that says it did not finish, and the log.
 */
export async function previewPolicyChangeGuarded(input: PreviewPolicyInput): Promise<void> {
  try {
    await previewPolicyPullRequest(input);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    input.log.error({ err: error, repository: `${input.target.owner}/${input.target.repo}`, pull: input.pull.number }, 'policy preview failed');
    await writePreview(input, 'The policy preview did not finish', `The preview of this policy change did not finish: ${reason}. Push again to retry.`);
  }
}

export async function previewPolicyPullRequest(input: PreviewPolicyInput): Promise<void> {
  const { octokit, target, pull } = input;
  // 1. Only a pull request that edits the policy file, or a VEX file the policy reads, is previewed.
  const changed = await fetchChangedFiles(octokit, { owner: target.owner, repo: target.repo, base: pull.baseRef, head: pull.headSha });
  const isOrgRepo = target.repo.toLowerCase() === ORG_POLICY_REPO;
  const repoOf = { owner: target.owner, repo: target.repo };
  const editsPolicy = changed.paths.has(POLICY_FILE);
  const base = await input.policies.load(pull.baseRef);
  if (!editsPolicy && !editsVexFile(changed.paths, base.policySet)) return;

  // 2. The proposed file must load: if it does not, the preview check fails at its lines.
  const proposed = editsPolicy ? await input.policies.load(pull.headSha) : base;
  if (!proposed.policySet) return writeInvalidProposal(input, proposed.problems);

  // 3. Replay over the stored facts: this repository, or every repository for the organization's file.
  if (isOrgRepo && editsPolicy) return previewOrganization(input);
  if (!base.policySet) return writePreview(input, 'The base branch policy does not load: nothing to compare with', base.problems.map((problem) => `- ${problem.message}`).join('\n'));
  // Each side with the VEX documents its own branch holds: the proposal's are read at the head.
  const baseVex = await withVex(octokit, { ...repoOf, ref: pull.baseRef }, base);
  const proposedVex = await withVex(octokit, { ...repoOf, ref: pull.headSha }, proposed);
  const vexProblems = [...(baseVex.vex?.problems ?? []), ...(proposedVex.vex?.problems ?? [])];
  if (vexProblems.length > 0) return writeInvalidProposal(input, vexProblems, 'A VEX document the policy reads does not load');
  const report = await replayRepository(input, { ...repoOf, defaultBranch: target.defaultBranch }, base.policySet, proposed.policySet, {
    baseVex: baseVex.vex?.documents ?? [],
    proposedVex: proposedVex.vex?.documents ?? [],
  });
  return writePreview(input, previewTitle(report), renderPreviewMarkdown(report));
}

/** A changed path that one of the repository's own `settings.vex` globs names. */
function editsVexFile(paths: ReadonlySet<string>, policySet: PolicySet | undefined): boolean {
  const globs = (policySet?.vex ?? []).filter((entry) => !entry.isOrg).flatMap((entry) => entry.globs);
  return globs.length > 0 && [...paths].some((path) => matchesAnyGlob(path, globs));
}

/** The organization's file as proposed, applied with each repository's own file at its default branch. */
async function previewOrganization(input: PreviewPolicyInput): Promise<void> {
  const { octokit, target, pull } = input;
  const proposedText = await fetchFileText(octokit, { owner: target.owner, repo: ORG_POLICY_REPO, path: POLICY_FILE, ref: pull.headSha });
  const orgFile = `org:${target.owner}/${ORG_POLICY_REPO}/${POLICY_FILE}`;
  const proposedOrg: OrgPolicyCache = { pending: Promise.resolve(proposedText === undefined ? {} : { source: { file: orgFile, text: proposedText, origin: 'org' as const } }) };
  const currentOrg: OrgPolicyCache = {};
  const repositories = (await fetchInstallationRepositories(octokit, MAX_PREVIEW_REPOSITORIES + 1)).filter((repository) => repository.repo.toLowerCase() !== ORG_POLICY_REPO);
  const lines: string[] = [];
  const loosenings = new Map<string, Loosening>();
  let flips = 0;
  for (const repository of repositories.slice(0, MAX_PREVIEW_REPOSITORIES)) {
    const ref = { owner: repository.owner, repo: repository.repo, ref: repository.defaultBranch };
    const [base, proposed] = [await loadRepoPolicy(octokit, ref, currentOrg), await loadRepoPolicy(octokit, ref, proposedOrg)];
    const name = `${repository.owner}/${repository.repo}`;
    if (!proposed.policySet) {
      lines.push(`| ${name} | ❌ the policy would not load: ${truncateText(proposed.problems[0]?.message ?? 'invalid', 200)} |`);
      continue;
    }
    if (!base.policySet) {
      lines.push(`| ${name} | its current policy does not load: nothing to compare with |`);
      continue;
    }
    const report = await replayRepository(input, repository, base.policySet, proposed.policySet);
    for (const loosening of report.loosenings) loosenings.set(loosening.message, loosening);
    flips += report.preview.changes.filter((change) => change.before !== change.after).length;
    lines.push(`| ${name} | ${previewTitle({ ...report, loosenings: [] })}${notReplayedText(report.notReplayed)} |`);
  }
  const more = repositories.length > MAX_PREVIEW_REPOSITORIES ? `\nOnly the first ${MAX_PREVIEW_REPOSITORIES} repositories were replayed.\n` : '';
  const looser = loosenings.size === 0 ? '' : `**⚠️ Changes that loosen the gate** (review these):\n\n${[...loosenings.values()].map((loosening) => `- 🔓 ${loosening.message}`).join('\n')}\n\n`;
  const title = `${plural(repositories.length, 'repository', 'repositories')} replayed: ${plural(flips, 'image')} would change verdict`;
  const summary = `### Organization policy preview: ${title}\n\n${looser}| Repository | Proposed policy |\n|---|---|\n${lines.join('\n')}\n${more}`;
  return writePreview(input, title, summary);
}

function notReplayedText(count: number | undefined): string {
  return count === undefined || count === 0 ? '' : `; ${plural(count, 'image')} not replayed (facts expired)`;
}

/** One repository: its recent images' facts judged under both policies, grouped by the branch whose policy judges them. */
async function replayRepository(
  input: PreviewPolicyInput,
  repository: { owner: string; repo: string; defaultBranch: string },
  base: PolicySet,
  proposed: PolicySet,
  sides: Parameters<typeof previewPolicyChange>[4] = {},
): Promise<PreviewReport> {
  const recent = await collectRecentFacts(input, repository);
  const changes: PreviewChange[] = [];
  let unchanged = 0;
  for (const [branch, bundles] of recent.byBranch) {
    const preview = previewPolicyChange(bundles, base, proposed, { now: input.now, branch }, sides);
    changes.push(...preview.changes);
    unchanged += preview.unchanged;
  }
  return { preview: { changes, unchanged }, loosenings: findLoosenings(base, proposed), notReplayed: recent.notReplayed };
}

/**
 * The recent images of a repository and their kept facts: the latest digest of each image on the
 * default branch (walking its commits of the window, newest first), then every image of the open
 * pull requests' heads updated in the window. An image whose facts expired counts as not replayed.
 */
async function collectRecentFacts(
  input: PreviewPolicyInput,
  repository: { owner: string; repo: string; defaultBranch: string },
): Promise<{ byBranch: Map<string, Bundle[]>; notReplayed: number }> {
  const { octokit, store, now } = input;
  const name = `${repository.owner}/${repository.repo}`;
  const since = new Date(now.getTime() - PREVIEW_WINDOW_DAYS * 86_400_000);
  const byBranch = new Map<string, Bundle[]>();
  const seenDigests = new Set<string>();
  const seenDefaultImages = new Set<string>();
  let notReplayed = 0;

  async function take(sha: string, branch: string, isLatestOnly: boolean): Promise<void> {
    const state = (await store.getCheckState(name, sha))?.value;
    if (state === undefined) return;
    for (const run of Object.values(state.runs)) {
      for (const image of Object.values(run.images)) {
        if (image.digest === undefined || seenDigests.has(image.digest)) continue;
        const imageName = repositoryOf(image.image);
        if (isLatestOnly && seenDefaultImages.has(imageName)) continue;
        seenDigests.add(image.digest);
        seenDefaultImages.add(imageName);
        const facts = await store.getFacts(name, image.digest);
        if (facts === undefined) {
          notReplayed++;
          continue;
        }
        const bundles = byBranch.get(branch) ?? [];
        byBranch.set(branch, bundles);
        bundles.push(facts.bundle);
      }
    }
  }

  for (const sha of await fetchRecentCommits(octokit, { owner: repository.owner, repo: repository.repo, branch: repository.defaultBranch, since })) {
    await take(sha, repository.defaultBranch, true);
  }
  for (const pull of await fetchOpenPullRequestHeads(octokit, repository)) {
    if (Date.parse(pull.updatedAt) < since.getTime()) continue;
    await take(pull.headSha, pull.baseRef, false);
  }
  return { byBranch, notReplayed };
}

async function writeInvalidProposal(input: PreviewPolicyInput, problems: Parameters<typeof renderCheckRun>[0]['problems'], title = `The proposed ${POLICY_FILE} is invalid`): Promise<void> {
  const rendered = renderCheckRun({ verdict: { allowed: false, evaluated_at: input.now.toISOString(), context: {}, sources: [POLICY_FILE], images: [] }, problems, notes: [], runs: [] }, { now: input.now });
  await writePreviewCheck(input, 'failure', { title, summary: rendered.summary, annotations: rendered.annotations });
}

async function writePreview(input: PreviewPolicyInput, title: string, summary: string): Promise<void> {
  await writePreviewCheck(input, 'neutral', { title, summary, annotations: [] });
}

/** The one write of the preview check: never with a Re-evaluate button (it judges no run). */
async function writePreviewCheck(input: PreviewPolicyInput, conclusion: 'failure' | 'neutral', output: CheckRunOutput): Promise<void> {
  await upsertCheckRun(input.octokit, {
    owner: input.target.owner,
    repo: input.target.repo,
    sha: input.pull.headSha,
    name: `${input.checkName}${PREVIEW_CHECK_SUFFIX}`,
    conclusion,
    output: { ...output, title: truncateText(output.title, MAX_TITLE_CHARS), summary: truncateText(output.summary, CHECK_SUMMARY_MAX_CHARS) },
    completedAt: input.now,
    hasReevaluateButton: false,
  });
}
