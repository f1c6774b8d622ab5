import { fetchArtifactZip, fetchRunArtifacts, MAX_ARTIFACT_ZIP_BYTES } from '../artifacts/fetch-artifacts.ts';
import type { ArtifactInfo } from '../artifacts/fetch-artifacts.ts';
import { unzipBounded } from '../artifacts/unzip-bounded.ts';
import { groupReports } from '../bundles/group-reports.ts';
import type { Baseline } from '../engine/attribution.ts';
import { evaluate } from '../engine/evaluate.ts';
import { readsBaseImage } from '../engine/rules/index.ts';
import { locateInDockerfile, needsDockerfile } from '../engine/locate-dockerfile.ts';
import { InputError, OperationError } from '../errors.ts';
import type { GitHubClient } from '../github/client.ts';
import { fetchFileText } from '../github/contents.ts';
import type { Bundle } from '../model/bundle.ts';
import { matchesAnyGlob } from '../model/glob.ts';
import type { OutcomeProblem } from '../model/outcome.ts';
import type { Report } from '../model/report.ts';
import type { ImageVerdict, Verdict } from '../model/verdict.ts';
import { isScanWorkflow } from '../policy/scan-workflows.ts';
import { readReport } from '../readers/index.ts';
import type { RunContribution } from '../store/store.ts';
import type { PolicyLoad } from './load-policy.ts';
import { readDockerfile } from './read-dockerfile.ts';
import type { DockerfileFacts } from './read-dockerfile.ts';
import { workflowChangeProblem } from './verify-workflow.ts';
import type { WorkflowRunInfo } from '../events/workflow-run.ts';
import { branchScopeOf } from './workflow-run.ts';

/**
 * One completed workflow run → its contribution to the commit's check: the images judged from
 * its artifacts, and the problems that kept something from being judged. Problems are data here;
 * only a failure that stops the whole run (listing the artifacts) throws.
 */

export interface RunJudgement {
  contribution: RunContribution;
  notes: string[];
  /** Bundles in the order of `verdict.images`, for storing verdicts by digest. */
  judged: { key: string; image: ImageVerdict }[];
  /** The bundles that were judged, in the order of `judged`: the facts kept for policy previews. */
  bundles: Bundle[];
}

export interface JudgeRunInput {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  run: WorkflowRunInfo;
  policy: PolicyLoad;
  /** The branch whose policy judges the run: a pull request's base, else the default branch. */
  policyRef: string;
  defaultBranch: string;
  /** Attribution (issue 11): each bundle's baseline, for a pull request under `findings: introduced`. */
  loadBaselines?: (bundles: readonly Bundle[]) => Promise<ReadonlyMap<string, Baseline> | undefined>;
  /** The run's artifacts, listed and read once when the run is judged under several bases' policies. */
  artifacts?: RunArtifacts;
  now: Date;
}

/** A run's artifacts: the listing and each artifact's reports, each fetched at most once. */
export interface RunArtifacts {
  list(): Promise<ArtifactInfo[]>;
  read(artifact: ArtifactInfo): Promise<{ reports: Report[]; problems: OutcomeProblem[] }>;
}

export function runArtifacts(input: Pick<JudgeRunInput, 'octokit' | 'owner' | 'repo' | 'run'>): RunArtifacts {
  let listing: Promise<ArtifactInfo[]> | undefined;
  const reads = new Map<number, Promise<{ reports: Report[]; problems: OutcomeProblem[] }>>();
  return {
    list: () => (listing ??= fetchRunArtifacts(input.octokit, { owner: input.owner, repo: input.repo, runId: input.run.ref.id })),
    read(artifact) {
      let read = reads.get(artifact.id);
      if (read === undefined) {
        read = readArtifact(input, artifact);
        reads.set(artifact.id, read);
      }
      return read;
    },
  };
}

export async function judgeRun(input: JudgeRunInput): Promise<RunJudgement> {
  const { run, policy, now } = input;
  const judgement = (problems: OutcomeProblem[], images: { key: string; image: ImageVerdict }[] = [], notes: string[] = [], bundles: Bundle[] = [], isExcluded = false): RunJudgement => ({
    contribution: {
      run: run.ref,
      images: Object.fromEntries(images.map(({ key, image }) => [key, image])),
      problems,
      evaluatedAt: now.toISOString(),
      ...(run.workflowPath === undefined ? {} : { workflow: run.workflowPath }),
      ...(isExcluded ? { isExcluded } : {}),
    },
    notes,
    judged: images,
    bundles,
  });

  // 1. A fork's run cannot vouch for its own image: never download what it produced.
  if (run.isFromFork && policy.settings.forks === 'untrusted') return judgement([forkProblem(run)]);
  // 2. A broken policy fails the check at its lines; nothing is judged against half a policy.
  if (!policy.policySet) return judgement(policy.problems);
  // 2b. Only the workflows settings.scan_workflows names may vouch for an image: others are not read.
  if (!isScanWorkflow(policy.settings, run.workflowPath)) return judgement([], [], [notScanWorkflowNote(run)], [], true);

  // 3. Fetch and unpack the matching artifacts, each on its own: one failure costs one artifact.
  const source = input.artifacts ?? runArtifacts(input);
  const artifacts = (await source.list()).filter((artifact) =>
    matchesAnyGlob(artifact.name, policy.settings.artifacts),
  );
  // 4. Reports from a workflow (or a protected file) that this change edited could be forged:
  //    never download them (unless the base branch's policy says `workflow_changes: trusted`, or
  //    `reviewed` and a writer approved the pull request's head commit).
  if (artifacts.length > 0) {
    const changed = await workflowChangeProblem(input.octokit, {
      owner: input.owner,
      repo: input.repo,
      run,
      baseRef: input.policyRef,
      isWorkflowChecked: policy.settings.workflow_changes !== 'trusted',
      isReviewEnough: policy.settings.workflow_changes === 'reviewed',
      protectedPaths: policy.settings.protected_paths,
    });
    if (changed) return judgement([changed]);
  }
  // A VEX document that cannot be read fails the check (fail closed); the readable ones still apply.
  const problems: OutcomeProblem[] = [...(policy.vex?.problems ?? [])];
  const notes: string[] = [...(policy.vex?.notes ?? [])];
  const reports: Report[] = [];
  for (const artifact of artifacts) {
    const read = await source.read(artifact);
    reports.push(...read.reports);
    for (const problem of read.problems) {
      if (problem.kind === 'missing-scan' && policy.settings.missing_scan === 'ignore') notes.push(`${problem.message} (missing_scan: ignore).`);
      else problems.push(problem);
    }
  }
  if (reports.length === 0) return judgement(problems, [], notes);

  // 5. Group into bundles (SPEC §1) and fill the base image from the Dockerfile where no label gives it.
  let grouped: Bundle[];
  try {
    grouped = groupReports(reports);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return judgement([...problems, ...error.problems.map((problem) => reportProblem(problem))], [], notes);
  }
  const dockerfiles = dockerfileLoader(input);
  const bundles = readsBaseImage(policy.policySet.policies) ? await Promise.all(grouped.map(async (bundle) => (bundle.baseImage ? bundle : withDockerfileBase(bundle, await dockerfiles.load(bundle))))) : grouped;

  // 6. Evaluate.
  const branch = branchScopeOf(run, input.policyRef);
  const baselines = await input.loadBaselines?.(bundles);
  const evaluated = evaluate(bundles, policy.policySet, {
    ...(branch === undefined ? {} : { branch }),
    now,
    vex: policy.vex?.documents ?? [],
    ...(baselines === undefined ? {} : { baselines }),
  });
  // 7. Locate findings in the Dockerfile (root_user at the USER line, base_images at the FROM line): a new verdict.
  const verdict = locateInDockerfile(evaluated, await dockerfilesToLocate(evaluated, bundles, dockerfiles));
  return judgement(
    problems,
    verdict.images.map((image, index) => ({ key: bundles[index]!.key, image })),
    notes,
    bundles,
  );
}

async function readArtifact(input: Pick<JudgeRunInput, 'octokit' | 'owner' | 'repo'>, artifact: ArtifactInfo): Promise<{ reports: Report[]; problems: OutcomeProblem[] }> {
  if (artifact.isExpired) return { reports: [], problems: [expiredProblem(artifact.name, 'it has expired')] };
  if (artifact.sizeInBytes > MAX_ARTIFACT_ZIP_BYTES) {
    return { reports: [], problems: [{ kind: 'artifact', message: `artifact ${artifact.name} is ${artifact.sizeInBytes} bytes, more than the ${MAX_ARTIFACT_ZIP_BYTES} allowed: its images were not judged` }] };
  }
  let download;
  try {
    download = await fetchArtifactZip(input.octokit, { owner: input.owner, repo: input.repo, id: artifact.id, name: artifact.name });
  } catch (error) {
    if (!(error instanceof OperationError)) throw error;
    return { reports: [], problems: [{ kind: 'artifact', message: `${error.message}: its images were not judged` }] };
  }
  if (!download.ok) {
    if (download.status === 'expired') return { reports: [], problems: [expiredProblem(artifact.name, download.reason)] };
    return { reports: [], problems: [{ kind: 'artifact', message: `${download.reason}: its images were not judged` }] };
  }
  const unzipped = unzipBounded(download.zip);
  if (!unzipped.ok) {
    return { reports: [], problems: [{ kind: 'artifact', message: `artifact ${artifact.name} was not unpacked: ${unzipped.reason}` }] };
  }
  const reports: Report[] = [];
  const problems: OutcomeProblem[] = [];
  for (const entry of unzipped.entries) {
    const path = `${artifact.name}/${entry.path}`;
    try {
      reports.push(readReport(path, entry.content));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems.map((problem) => reportProblem(problem)));
    }
  }
  if (unzipped.entries.length === 0) problems.push({ kind: 'report', message: `artifact ${artifact.name} holds no files` });
  return { reports, problems };
}

function expiredProblem(name: string, reason: string): OutcomeProblem {
  return { kind: 'missing-scan', message: `The reports in artifact ${name} could not be read: ${reason}. Re-run the workflow to scan again` };
}

function notScanWorkflowNote(run: WorkflowRunInfo): string {
  return `Workflow run "${run.ref.name}" (#${run.ref.id}) ran ${run.workflowPath ?? 'no named workflow file'}, which settings.scan_workflows does not list: its artifacts were not read.`;
}

function forkProblem(run: WorkflowRunInfo): OutcomeProblem {
  return {
    kind: 'fork',
    message:
      `Workflow run "${run.ref.name}" (#${run.ref.id}) ran code from a fork: a fork's workflow cannot vouch for its own image, ` +
      'so its reports are not trusted (settings.forks: untrusted). Scan the image in a workflow of this repository, e.g. after merging',
  };
}

/** A report problem keeps the report path in its message: the path is in an artifact, not in the repository. */
function reportProblem(problem: InputError['problems'][number]): OutcomeProblem {
  const place = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.col ?? 1}`;
  return { kind: 'report', message: `${place}: ${problem.message}` };
}

const DEFAULT_DOCKERFILE = 'Dockerfile';

/** Fetches each Dockerfile at the run's head SHA at most once per run. */
function dockerfileLoader(input: JudgeRunInput): { load(bundle: Bundle): Promise<DockerfileFacts | undefined> } {
  const cache = new Map<string, Promise<DockerfileFacts | undefined>>();
  return {
    load(bundle) {
      const path = bundle.baseImage?.location?.path ?? DEFAULT_DOCKERFILE;
      let pending = cache.get(path);
      if (!pending) {
        pending = fetchFileText(input.octokit, { owner: input.owner, repo: input.repo, path, ref: input.run.headSha }).then((text) =>
          text === undefined ? undefined : readDockerfile(path, text),
        );
        cache.set(path, pending);
      }
      return pending;
    },
  };
}

/** The bundle with its base image taken from the Dockerfile's FROM line, when no label gave one: a new bundle, the grouped one unchanged. */
function withDockerfileBase(bundle: Bundle, dockerfile: DockerfileFacts | undefined): Bundle {
  const from = dockerfile?.from;
  if (!dockerfile || !from?.name) return bundle;
  return { ...bundle, baseImage: { name: from.name, source: 'dockerfile', location: { path: dockerfile.path, line: from.line } } };
}

/** The Dockerfile of each judged image (in `verdict.images` order) that has a finding to locate there; fetched only for those. */
async function dockerfilesToLocate(verdict: Verdict, bundles: readonly Bundle[], dockerfiles: ReturnType<typeof dockerfileLoader>): Promise<(DockerfileFacts | undefined)[]> {
  const found: (DockerfileFacts | undefined)[] = [];
  for (const [index, image] of verdict.images.entries()) found.push(needsDockerfile(image) ? await dockerfiles.load(bundles[index]!) : undefined);
  return found;
}
