import type { Logger } from 'probot';
import type { GitHubClient } from '../github/client.ts';
import type { Store, VerdictRecord } from '../store/store.ts';
import { isAttributionWanted, loadBaselines, recordDefaultBranchDigests, type BaselineTarget } from './baselines.ts';
import { withFinalGuard } from './final-guard.ts';
import { judgeRun } from './judge-run.ts';
import type { RunJudgement } from './judge-run.ts';
import { loadRepoPolicy, POLICY_FILE } from './load-policy.ts';
import { withVex } from './load-vex.ts';
import type { OrgPolicyCache, PolicyLoad } from './load-policy.ts';
import type { RepoTarget } from '../events/repo-target.ts';
import { recordContribution } from './update-check.ts';
import { policyRefOf } from './workflow-run.ts';
import type { WorkflowRunInfo } from '../events/workflow-run.ts';

export interface EvaluateRunInput {
  octokit: GitHubClient;
  store: Store;
  target: RepoTarget;
  run: WorkflowRunInfo;
  now: Date;
  log: Logger;
  /** Shared by the runs of one re-evaluation, so each branch's policy is read once. */
  policies?: Map<string, Promise<PolicyLoad>>;
  /** Shared likewise, so the organization's policy is read once. */
  orgPolicy?: OrgPolicyCache;
}

/** A completed workflow run, judged with the current policy and answered on its commit's check. */
export async function evaluateCompletedRun(input: EvaluateRunInput): Promise<void> {
  const { octokit, store, target, run, now } = input;
  let policy: PolicyLoad | undefined;
  await withFinalGuard(
    { octokit, store, target, sha: run.headSha, run: run.ref, pullRequests: pullNumbers(run), settings: () => policy?.settings, now, log: input.log },
    async () => {
      // 1. The policy of the pull request's base branch, else of the default branch (SPEC §2), and the VEX documents it names there.
      const policyRef = policyRefOf(run, target.defaultBranch);
      policy = await policyFor(input, policyRef);
      // 2. Judge the run's artifacts (forks, policy problems and zip limits become problems).
      //    A pull request under `findings: introduced` is compared with its baseline (issue 11).
      const attribution: BaselineTarget = { octokit, store, owner: target.owner, repo: target.repo, run, policyRef, defaultBranch: target.defaultBranch };
      const isAttributed = isAttributionWanted(policy.policySet);
      const judgement = await judgeRun({
        octokit,
        owner: target.owner,
        repo: target.repo,
        run,
        policy,
        policyRef,
        defaultBranch: target.defaultBranch,
        now,
        ...(isAttributed ? { loadBaselines: (bundles) => loadBaselines(attribution, bundles) } : {}),
      });
      // 3. Store a verdict per repository, image digest, commit and policy branch, for publishes and gates.
      await storeVerdicts(store, { target, run, policyRef, sources: policy.sources }, judgement);
      //    And the facts behind them (the bundles), so that a policy change can be replayed later.
      const notKept = await storeFacts(store, { target, run, now }, judgement);
      if (notKept.length > 0) input.log.warn({ digests: notKept }, 'facts too large to keep: a policy preview cannot replay these images');
      //    And, for a trusted push to the default branch, which digest it built per image name: the baselines of pull requests.
      if (isAttributed) await recordDefaultBranchDigests(attribution, judgement.bundles, now);
      // 4. Merge into the commit's check and answer: check run and sticky comment.
      await recordContribution({
        octokit,
        store,
        owner: target.owner,
        repo: target.repo,
        sha: run.headSha,
        installationId: target.installationId,
        appId: target.appId,
        contribution: judgement.contribution,
        sources: policy.sources,
        notes: [...policy.notes, ...judgement.notes],
        pullRequests: pullNumbers(run),
        settings: policy.settings,
        now,
      });
      input.log.info({ repository: `${target.owner}/${target.repo}`, sha: run.headSha, runId: run.ref.id, images: judgement.judged.length }, 'run judged');
    },
  );
}

function policyFor(input: EvaluateRunInput, ref: string): Promise<PolicyLoad> {
  const target = { owner: input.target.owner, repo: input.target.repo, ref };
  // The VEX documents come from the policy's branch too, read once with it.
  const load = async (): Promise<PolicyLoad> => withVex(input.octokit, target, await loadRepoPolicy(input.octokit, target, input.orgPolicy));
  if (!input.policies) return load();
  let pending = input.policies.get(ref);
  if (!pending) {
    pending = load();
    input.policies.set(ref, pending);
  }
  return pending;
}

/** Keeps each judged bundle with a digest; returns the digests whose facts were too large to keep. */
async function storeFacts(store: Store, judged: { target: RepoTarget; run: WorkflowRunInfo; now: Date }, judgement: RunJudgement): Promise<string[]> {
  const notKept: string[] = [];
  for (const bundle of judgement.bundles) {
    const digest = bundle.image.digest;
    if (digest === undefined) continue;
    const record = { repository: `${judged.target.owner}/${judged.target.repo}`, digest, sha: judged.run.headSha, evaluatedAt: judged.now.toISOString(), bundle };
    if (!(await store.putFacts(record))) notKept.push(digest);
  }
  return notKept;
}

async function storeVerdicts(
  store: Store,
  judged: { target: RepoTarget; run: WorkflowRunInfo; policyRef: string; sources: string[] },
  judgement: RunJudgement,
): Promise<void> {
  const { target, run, policyRef } = judged;
  const policyFiles = judged.sources.map((source) => (source === POLICY_FILE ? `${source}@${policyRef}` : source));
  for (const { image } of judgement.judged) {
    if (!image.digest) continue;
    const record: VerdictRecord = {
      digest: image.digest,
      ...(image.image_id ? { imageId: image.image_id } : {}),
      image: image.image,
      repository: `${target.owner}/${target.repo}`,
      sha: run.headSha,
      runId: run.ref.id,
      policyRef,
      policyFiles,
      allowed: image.allowed,
      status: image.status,
      policies: image.policies.map((policy) => ({ name: policy.name, source: policy.source, passed: policy.passed, enforcement: policy.enforcement })),
      evaluatedAt: judgement.contribution.evaluatedAt,
      verdict: image,
    };
    await store.putVerdict(record);
  }
}

export function pullNumbers(run: WorkflowRunInfo): number[] {
  return run.pullRequests.map((pr) => pr.number);
}
