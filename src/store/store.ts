import type { Bundle } from '../model/bundle.ts';
import type { OutcomeProblem, PolicyOutcome, RunRef } from '../model/outcome.ts';
import type { Enforcement, ImageVerdict } from '../model/verdict.ts';

/**
 * The one persistence interface. Two implementations: `memory.ts` (tests, the CLI) and
 * `dynamo.ts` (Lambda, `npm start` on dynalite). Everything is keyed so that it works with
 * conditional writes alone (no transactions: dynalite has none).
 */

/** A webhook delivery turned into work for the worker. */
export interface Job {
  /** The delivery ID (`X-GitHub-Delivery`): a redelivery has the same one. */
  id: string;
  /** `X-GitHub-Event`, e.g. `workflow_run`. */
  event: string;
  /** The verified webhook payload. */
  payload: unknown;
  /** ISO time the delivery was received. */
  receivedAt: string;
}

/** The part of a commit's check that one workflow run (or a publish) contributed. */
export interface RunContribution {
  run: RunRef;
  /** Images judged from this run's reports, keyed by bundle key (digest, else ref). */
  images: Record<string, ImageVerdict>;
  problems: OutcomeProblem[];
  /** ISO time. */
  evaluatedAt: string;
  /**
   * The workflow file the run ran (`.github/workflows/scan.yml`): a newer run of the same file
   * replaces this one's part of the check. Absent (a publish): the contribution stands alone.
   */
  workflow?: string;
  /** The run's workflow is not among settings.scan_workflows: its artifacts were not read. */
  isExcluded?: boolean;
  /**
   * The branch whose policy judged it (a pull request's base, else the default branch). A commit
   * heading pull requests into several branches has one contribution per run and base.
   */
  policyRef?: string;
  /** The branch its policies' scopes were matched against: the base for a pull request, else the run's own branch. */
  branch?: string;
  /** The run's attempt (a re-run of the same run ID is a higher attempt). */
  attempt?: number;
}

/** A workflow run of the commit that started and has not been judged yet: the check waits for it. */
export interface PendingRun {
  run: RunRef;
  attempt: number;
  workflow?: string;
  /** ISO time the start was seen. */
  since: string;
}

/** Everything the check run of one commit reflects, across workflow runs (SPEC §4). */
export interface CheckState {
  /** `owner/name`. */
  repository: string;
  sha: string;
  installationId: number;
  checkRunId?: number;
  /**
   * Our other check runs on this commit: ones a concurrent job created when it lost the race to
   * create `checkRunId`. GitHub shows the latest check run of a name, so every publish writes
   * these too (never left queued, never showing an older outcome).
   */
  otherCheckRunIds?: number[];
  /**
   * Keyed by run ID as a string (`<id>@<base>` for each base when the run is judged under several
   * bases' policies); a re-run of the same run replaces its contributions.
   */
  runs: Record<string, RunContribution>;
  /**
   * Workflow runs of the commit that started and are not judged yet, keyed by run ID: while one
   * of them (of a workflow settings.scan_workflows lists) is pending, the check stays in progress.
   */
  pendingRuns?: Record<string, PendingRun>;
  /**
   * The base branch of each pull request the commit heads, as its latest pull_request event said
   * (a base change included): the commit is judged under every base's policy.
   */
  pullRequestBases?: Record<string, string>;
  /** `checkRunId` is queued or in progress (not completed): a new start needs no new check run. */
  isInProgress?: boolean;
  /** Policy files that applied at the last evaluation. */
  sources: string[];
  notes: string[];
  pullRequests: number[];
  /** The conclusion last published, so that a run that turns the commit green can say it was blocked before. */
  conclusion?: 'success' | 'failure' | 'neutral';
  /** Keys of the annotations already sent to `checkRunId`: GitHub appends annotations on every update, never replaces them. */
  annotationKeys?: string[];
  /** ISO time of the last change. */
  updatedAt: string;
}

/**
 * A verdict, stored per repository, image digest, commit and policy branch, for publishes and
 * deployment gates. Never shared across repositories: a digest judged in one repository (under
 * its policy) says nothing about the same digest published by another.
 */
export interface VerdictRecord {
  digest: string;
  imageId?: string;
  /** The normalized reference the verdict was given for, e.g. `ghcr.io/acme/api:1.2.3`. */
  image: string;
  /** `owner/name` of the repository whose workflow run produced the reports. */
  repository: string;
  /** The commit the run built and scanned. */
  sha: string;
  runId?: number;
  /** The branch whose policy judged it: a pull request's base, else the default branch. */
  policyRef: string;
  /**
   * The policy files that judged it: the repository's as `path@policyRef#blob:<git blob SHA>`, the
   * organization's as `org:…#blob:<SHA>` (read at its default branch), presets (`preset:NAME`, shipped
   * with the app) as named. The blob SHA (`git hash-object`) names exactly the file's version.
   */
  policyFiles: string[];
  allowed: boolean;
  status: ImageVerdict['status'];
  /** Policy names that failed and the files they come from. */
  policies: { name: string; source: string; passed: boolean; enforcement: Enforcement }[];
  evaluatedAt: string;
  verdict: ImageVerdict;
}

/** Which verdict: the repository and commit that produced it, under which branch's policy. */
export interface VerdictKey {
  repository: string;
  digest: string;
  sha: string;
  policyRef: string;
}

/** A published container version: what tag went to which digest, and whether it had a verdict. */
export interface PublishRecord {
  /** e.g. `ghcr.io/acme/api`. */
  image: string;
  tag: string;
  digest: string;
  repository: string;
  sha?: string;
  /**
   * `verified` when a verdict judged in this repository, for the commit the package names, under
   * the default branch's policy existed at publish time, else `unscanned`.
   */
  state: 'verified' | 'unscanned';
  allowed?: boolean;
  publishedAt: string;
  /**
   * The package version's `updated_at` (ISO): a record is only ever replaced by a version at
   * least as new, so a replayed older event never rolls the tag back to an older digest.
   */
  versionUpdatedAt: string;
}

/**
 * One commit's latest evaluation, policy by policy (shadow ones included), kept per repository
 * for 90 days: "would have blocked N of the last M commits judged here".
 */
export interface PolicyHistoryRecord {
  /** `owner/name`. */
  repository: string;
  sha: string;
  /** ISO time of the evaluation. */
  evaluatedAt: string;
  /** Every policy that judged an image of the commit; `failed` when it failed for at least one (for a shadow policy: it would have blocked). */
  policies: PolicyOutcome[];
}

/**
 * The facts behind a verdict: the normalized bundle (the engine's input) of a judged image, kept
 * per repository and digest for 90 days so that a policy change can be replayed after the
 * workflow artifacts expired.
 */
export interface FactsRecord {
  /** `owner/name`. */
  repository: string;
  digest: string;
  /** The commit whose run produced the reports. */
  sha: string;
  /** ISO time it was judged. */
  evaluatedAt: string;
  bundle: Bundle;
}

/**
 * Which digest a default-branch commit produced for an image name (issue 11): a pull request's
 * baseline is the facts of that digest at its merge base, else at the latest such commit.
 */
export interface DefaultBranchDigest {
  /** `owner/name`. */
  repository: string;
  sha: string;
  /** `registry/repository`, e.g. `ghcr.io/acme/api`. */
  image: string;
  digest: string;
  /** ISO time it was recorded: the latest record of an image name wins. */
  recordedAt: string;
}

/**
 * A stream record the worker started and has not finished: written before its job runs, cleared
 * when it ends. A dead-lettered batch names only a stream sequence range, never its items; these
 * name the jobs in it, so each can end in a failing "did not finish" check (functions/dead-letters.ts).
 */
export interface JobAttempt {
  /** The table stream's ARN (`eventSourceARN` of the record). */
  streamArn: string;
  /** The record's `SequenceNumber`: decimal digits, at most 40. */
  sequenceNumber: string;
  jobId: string;
  /** ISO time the worker started it. */
  startedAt: string;
}

export interface Versioned<T> {
  value: T;
  /** Optimistic-concurrency token: pass it back to `putCheckState`. */
  version: number;
}

export interface Store {
  /** Records a delivery ID. Resolves false when it was recorded before (a redelivery). */
  putDelivery(id: string, receivedAt: Date): Promise<boolean>;
  /** Stores the job unless a job with its ID is stored already (a redelivery stores nothing). */
  putJob(job: Job): Promise<void>;
  getJob(id: string): Promise<Job | undefined>;

  getCheckState(repository: string, sha: string): Promise<Versioned<CheckState> | undefined>;
  /**
   * Writes the check state only if its stored version is still `expectedVersion` (`undefined`: only
   * if none exists). Resolves false on a conflict; the caller re-reads and retries.
   */
  putCheckState(state: CheckState, expectedVersion: number | undefined): Promise<boolean>;

  /** Stores the verdict under its key (repository case-insensitive): judging the same key again replaces it. */
  putVerdict(record: VerdictRecord): Promise<void>;
  getVerdict(key: VerdictKey): Promise<VerdictRecord | undefined>;

  /**
   * Records tag → digest unless the stored record comes from a newer package version
   * (`versionUpdatedAt`). Resolves false when it was older and nothing was written.
   */
  putPublish(record: PublishRecord): Promise<boolean>;
  getPublish(image: string, tag: string): Promise<PublishRecord | undefined>;

  /**
   * Keeps an image's facts (the latest judgement of the digest in the repository replaces them).
   * Resolves false when they are too large to keep; the caller says so instead of failing.
   */
  putFacts(record: FactsRecord): Promise<boolean>;
  getFacts(repository: string, digest: string): Promise<FactsRecord | undefined>;

  /**
   * Records which digest a trusted default-branch commit produced for an image name (90 days),
   * and makes it the image name's latest unless a later one is recorded already.
   */
  putDefaultBranchDigest(record: DefaultBranchDigest): Promise<void>;
  getDefaultBranchDigest(repository: string, sha: string, image: string): Promise<DefaultBranchDigest | undefined>;
  /** The image name's most recently recorded default-branch digest. */
  getLatestDefaultBranchDigest(repository: string, image: string): Promise<DefaultBranchDigest | undefined>;

  /** Stores a commit's policy outcomes; judging the same commit again replaces them. */
  putPolicyHistory(record: PolicyHistoryRecord): Promise<void>;
  /** The repository's commits judged at or after `since`, in no particular order. */
  listPolicyHistory(repository: string, since: Date): Promise<PolicyHistoryRecord[]>;
  putAttempt(attempt: JobAttempt): Promise<void>;
  clearAttempt(streamArn: string, sequenceNumber: string): Promise<void>;
  /** The attempts of one stream from `fromSequence` to `toSequence` (both included), in sequence order. */
  listAttempts(streamArn: string, fromSequence: string, toSequence: string): Promise<JobAttempt[]>;
}

/**
 * A publish record's version time in epoch milliseconds, for ordering. A time that does not parse
 * sorts first (never replaces a record that has one).
 */
export function versionTime(record: Pick<PublishRecord, 'versionUpdatedAt'>): number {
  const time = Date.parse(record.versionUpdatedAt);
  return Number.isNaN(time) ? Number.MIN_SAFE_INTEGER : time;
}

/** Maximum attempts of an optimistic update before giving up with an error. */
export const MAX_CHECK_STATE_ATTEMPTS = 10;

/**
 * Read-modify-write of a commit's check state with optimistic concurrency: two workflow runs
 * finishing at once both end up in the state.
 */
export async function updateCheckState(
  store: Store,
  repository: string,
  sha: string,
  update: (current: CheckState | undefined) => CheckState,
): Promise<CheckState> {
  for (let attempt = 0; attempt < MAX_CHECK_STATE_ATTEMPTS; attempt++) {
    const current = await store.getCheckState(repository, sha);
    const next = update(current?.value);
    if (await store.putCheckState(next, current?.version)) return next;
  }
  throw new Error(`check state of ${repository}@${sha} kept changing: gave up after ${MAX_CHECK_STATE_ATTEMPTS} attempts`);
}
