import type { Logger } from 'probot';
import type { GitHubClient } from '../github/client.ts';
import type { Store, VerdictRecord } from '../store/store.ts';
import { isAttributionWanted, loadBaselines, recordDefaultBranchDigests, type BaselineTarget } from './baselines.ts';
import { withFinalGuard } from './final-guard.ts';
import { judgeRun, runArtifacts } from './judge-run.ts';
import type { RunArtifacts, RunJudgement } from './judge-run.ts';
import { POLICY_FILE } from './load-policy.ts';
import type { PolicyLoad } from './load-policy.ts';
import { createPolicyReader, type PolicyReader } from './policy-reader.ts';
import type { RepoTarget } from '../events/repo-target.ts';
import { recordContribution } from './update-check.ts';
import { branchScopeOf, policyRefsOf, withKnownBases } from './workflow-run.ts';
import type { WorkflowRunInfo } from '../events/workflow-run.ts';

export interface EvaluateRunInput {
  octokit: GitHubClient;
  store: Store;
  target: RepoTarget;
  run: WorkflowRunInfo;
  now: Date;
  log: Logger;
  /** The job's policy reader (shared by the runs of one re-evaluation): each branch's policy is read once. */
  policies?: PolicyReader;
}

/**
 * A completed workflow run, judged with the current policy of every branch it goes into, and
 * answered on its commit's check.
 */
export async function evaluateCompletedRun(input: EvaluateRunInput): Promise<void> {
  const { octokit, store, target, now } = input;
  const policies = input.policies ?? createPolicyReader(octokit, target);
  await withFinalGuard(
    { octokit, store, target, sha: input.run.headSha, run: input.run.ref, attempt: input.run.attempt, pullRequests: pullNumbers(input.run), settings: policies.checkSettings, now, log: input.log },
    async () => {
      // 1. The pull requests the commit heads, with their bases as the latest pull_request events said.
      const state = await store.getCheckState(`${target.owner}/${target.repo}`, input.run.headSha);
      const run = withKnownBases(input.run, state?.value.pullRequestBases);
      // 2. The policy of each pull request's base branch, else of the default branch (SPEC §2), and
      //    the VEX documents it names there. The primary branch's settings shape the one check.
      const { refs, primary } = policyRefsOf(run, target.defaultBranch);
      const judged: { policyRef: string; policy: PolicyLoad; judgement: RunJudgement }[] = [];
      // The run's artifacts are listed and downloaded once, whichever bases judge them.
      const artifacts = runArtifacts({ octokit, owner: target.owner, repo: target.repo, run });
      for (const policyRef of refs) {
        const policy = await policies.loadWithVex(policyRef);
        // 3. Judge the run's artifacts under that policy (forks, policy problems and zip limits become problems).
        judged.push({ policyRef, policy, judgement: await judgeUnder(input, run, { policyRef, policy, artifacts }) });
      }
      // 4. Store a verdict per repository, image digest, commit and policy branch, for publishes and gates.
      for (const { policyRef, policy, judgement } of judged) await storeVerdicts(store, { target, run, policyRef, sources: policy.sources, blobs: policy.blobs }, judgement);
      //    And the facts behind them (the bundles, the same under every base), so that a policy change can be replayed later.
      const notKept = await storeFacts(store, { target, run, now }, judged[0]!.judgement);
      if (notKept.length > 0) input.log.warn({ digests: notKept }, 'facts too large to keep: a policy preview cannot replay these images');
      // 5. Merge into the commit's check and answer: check run and sticky comment.
      const isSeveral = judged.length > 1;
      const main = judged.find((each) => each.policyRef === primary)!;
      await recordContribution({
        octokit,
        store,
        owner: target.owner,
        repo: target.repo,
        sha: run.headSha,
        installationId: target.installationId,
        appId: target.appId,
        runId: run.ref.id,
        attempt: run.attempt,
        contributions: judged.map(({ policyRef, judgement }) => {
          const branch = branchScopeOf(run, policyRef);
          return { ...judgement.contribution, policyRef, ...(branch === undefined ? {} : { branch }), attempt: run.attempt };
        }),
        sources: isSeveral ? judged.flatMap(({ policyRef, policy }) => policy.sources.map((source) => sourceAt(source, policyRef))) : main.policy.sources,
        notes: [...new Set(judged.flatMap(({ policy, judgement }) => [...policy.notes, ...judgement.notes]))],
        pullRequests: pullNumbers(run),
        settings: main.policy.settings,
        now,
      });
      input.log.info({ repository: `${target.owner}/${target.repo}`, sha: run.headSha, runId: run.ref.id, bases: refs, images: main.judgement.judged.length }, 'run judged');
    },
  );
}

/** One run judged under one branch's policy; under `findings: introduced` a pull request is compared with its baseline (issue 11). */
async function judgeUnder(input: EvaluateRunInput, run: WorkflowRunInfo, under: { policyRef: string; policy: PolicyLoad; artifacts: RunArtifacts }): Promise<RunJudgement> {
  const { octokit, store, target, now } = input;
  const { policyRef, policy, artifacts } = under;
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
    artifacts,
    now,
    ...(isAttributed ? { loadBaselines: (bundles) => loadBaselines(attribution, bundles) } : {}),
  });
  // For a trusted push to the default branch, which digest it built per image name: the baselines of pull requests.
  if (isAttributed) await recordDefaultBranchDigests(attribution, judgement.bundles, now);
  return judgement;
}

/** The repository's policy file names its branch; presets and the organization's file stand as they are. */
function sourceAt(source: string, policyRef: string): string {
  return source === POLICY_FILE ? `${source}@${policyRef}` : source;
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
  judged: { target: RepoTarget; run: WorkflowRunInfo; policyRef: string; sources: string[]; blobs: Readonly<Record<string, string>> },
  judgement: RunJudgement,
): Promise<void> {
  const { target, run, policyRef } = judged;
  // Each file read from a repository with its git blob SHA: exactly the version that judged.
  const policyFiles = judged.sources.map((source) => {
    const blob = judged.blobs[source];
    return blob === undefined ? sourceAt(source, policyRef) : `${sourceAt(source, policyRef)}#blob:${blob}`;
  });
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
