import { RULES } from '../engine/rules/index.ts';
import type { CheckConclusion, Outcome, OutcomeProblem } from '../model/outcome.ts';
import type { Enforcement, ImageVerdict, PolicyVerdict, Violation } from '../model/verdict.ts';
import { conclusionOf } from './conclusion.ts';
import { isDockerfilePath, PROBLEM_TITLE, sanitizeText } from './format.ts';
import { renderMarkdown } from './markdown.ts';
import { titleOf } from './title.ts';
import { plural, truncateText } from './truncate.ts';

/**
 * `output.summary` and `output.text` of a check run: "Maximum length: 65535 characters."
 * https://docs.github.com/en/rest/checks/runs#create-a-check-run
 */
export const CHECK_SUMMARY_MAX_CHARS = 65_535;

/**
 * "The Checks API limits the number of annotations to a maximum of 50 per API request. To create
 * more than 50 annotations, you have to make multiple requests to the Update a check run endpoint."
 * https://docs.github.com/en/rest/checks/runs#update-a-check-run
 */
export const ANNOTATIONS_PER_REQUEST = 50;

/** The most annotations we send for one check run: ten requests' worth; the rest are counted. */
export const MAX_ANNOTATIONS = 500;

/** Annotation titles and messages are cut to these lengths (GitHub allows more; nobody reads more). */
const MAX_ANNOTATION_TITLE_CHARS = 255;
/** A shadow policy's finding is a notice: it would block, and does not yet. */
const ANNOTATION_LEVEL: Record<Enforcement, Annotation['annotation_level']> = { block: 'failure', warn: 'warning', shadow: 'notice' };
const MAX_ANNOTATION_MESSAGE_CHARS = 4_000;

/** GitHub's check-run annotation object. https://docs.github.com/en/rest/checks/runs#update-a-check-run */
export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  /** Only when start_line equals end_line. */
  start_column?: number;
  end_column?: number;
  annotation_level: 'failure' | 'warning' | 'notice';
  title: string;
  message: string;
}

export interface CheckRunOptions {
  now: Date;
}

export interface CheckRunOutput {
  conclusion: CheckConclusion;
  title: string;
  summary: string;
  /** Only when something was left out of the annotations. */
  text?: string;
  annotations: Annotation[];
}

/**
 * Everything a check run shows: the conclusion (from `conclusionOf`, the one mapping), a one-line
 * title, the markdown summary cut to GitHub's limit, and annotations: policy file problems at
 * their file/line/col, and violations whose location is a Dockerfile in the repository (a run's
 * `root_user` and `base_images` findings were located there by `locateInDockerfile`). Paths
 * inside the image are never annotated: they are not files of the repository.
 */
export function renderCheckRun(outcome: Outcome, options: CheckRunOptions): CheckRunOutput {
  const all = [...problemAnnotations(outcome.problems), ...violationAnnotations(outcome.verdict.images)];
  const annotations = all.slice(0, MAX_ANNOTATIONS);
  const output: CheckRunOutput = {
    conclusion: conclusionOf(outcome),
    title: titleOf(outcome),
    summary: renderMarkdown(outcome, { now: options.now, maxChars: CHECK_SUMMARY_MAX_CHARS }),
    annotations,
  };
  if (all.length > annotations.length) {
    output.text = `${plural(all.length - annotations.length, 'more annotation')} left out: a check run shows at most ${MAX_ANNOTATIONS}. The summary lists every violation that fits.`;
  }
  return output;
}

/** Splits annotations into GitHub's 50 per request, in order. */
export function batchAnnotations<T>(annotations: T[], size = ANNOTATIONS_PER_REQUEST): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be a positive integer, got ${size}`);
  const batches: T[][] = [];
  for (let start = 0; start < annotations.length; start += size) batches.push(annotations.slice(start, start + size));
  return batches;
}

function problemAnnotations(problems: readonly OutcomeProblem[]): Annotation[] {
  return problems.flatMap((problem): Annotation[] => {
    // Only files of the repository: the policy file, a Dockerfile. A report's path is in an artifact.
    if (problem.file === undefined || !(problem.kind === 'policy' || isDockerfilePath(problem.file))) return [];
    const line = problem.line ?? 1;
    return [
      {
        path: problem.file,
        start_line: line,
        end_line: line,
        ...(problem.line !== undefined && problem.col !== undefined ? { start_column: problem.col, end_column: problem.col } : {}),
        annotation_level: 'failure',
        title: PROBLEM_TITLE[problem.kind],
        message: truncateText(problem.message, MAX_ANNOTATION_MESSAGE_CHARS),
      },
    ];
  });
}

function violationAnnotations(images: readonly ImageVerdict[]): Annotation[] {
  const byPlace = new Map<string, Annotation>();
  for (const image of images) {
    for (const policy of image.policies) {
      for (const violation of policy.violations) {
        const place = placeOf(violation);
        if (place === undefined) continue;
        const annotation = annotationFor(image, policy, violation, place);
        const key = `${annotation.path}\u0000${annotation.start_line}\u0000${annotation.annotation_level}\u0000${annotation.title}`;
        const same = byPlace.get(key);
        if (same === undefined) byPlace.set(key, annotation);
        else same.message = truncateText(`${same.message}\nAlso ${sanitizeText(image.image, 300)}.`, MAX_ANNOTATION_MESSAGE_CHARS);
      }
    }
  }
  return [...byPlace.values()];
}

/** A violation's place when it is a Dockerfile in the repository; a path inside the image (absolute) is not. */
function placeOf(violation: Violation): { path: string; line: number } | undefined {
  const { location } = violation;
  if (location === undefined || location.path.startsWith('/') || !isDockerfilePath(location.path)) return undefined;
  return { path: location.path, line: location.line ?? 1 };
}

function annotationFor(image: ImageVerdict, policy: PolicyVerdict, violation: Violation, place: { path: string; line: number }): Annotation {
  const title = `${policy.name}: ${violation.rule} ${sanitizeText(violation.id, 100)}`;
  const message = `${sanitizeText(image.image, 300)}: ${sanitizeText(violation.message, 1_000)}\nFix: ${sanitizeText(RULES[violation.rule].fix(violation), 1_000)}.`;
  return {
    path: place.path,
    start_line: place.line,
    end_line: place.line,
    annotation_level: ANNOTATION_LEVEL[policy.enforcement],
    title: truncateText(title, MAX_ANNOTATION_TITLE_CHARS),
    message: truncateText(message, MAX_ANNOTATION_MESSAGE_CHARS),
  };
}
