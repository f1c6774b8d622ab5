import { randomUUID } from 'node:crypto';

/**
 * GitHub Actions workflow commands, as documented in "Workflow commands for GitHub Actions"
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands).
 * Written here rather than taken from @actions/core: its 3.0.1 bundles to 417 KB (undici, for
 * OIDC tokens) to offer these few lines.
 */

export type AnnotationLevel = 'error' | 'warning' | 'notice';

/** GitHub shows at most 10 annotations of each level per step (same page, "annotations"). */
export const MAX_ANNOTATIONS_PER_LEVEL = 10;

/** A step summary over 1 MiB is not shown ("Adding a job summary", same page). */
export const STEP_SUMMARY_MAX_BYTES = 1024 * 1024;

/** `::error title=…::message` (one line: the message's line breaks and `%` are escaped). */
export function formatAnnotation(level: AnnotationLevel, message: string, properties: { title?: string } = {}): string {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${escapeProperty(value!)}`)
    .join(',');
  return `::${level}${props ? ` ${props}` : ''}::${escapeData(message)}\n`;
}

/**
 * One `name=value` for the $GITHUB_OUTPUT file, in the multi-line form with a random delimiter,
 * so no value (a path, a message) can end it early or set another output.
 */
export function formatOutput(name: string, value: string, delimiter = `ghadelimiter_${randomUUID()}`): string {
  if (name.includes(delimiter) || value.includes(delimiter)) throw new Error(`the output ${name} holds its own delimiter`);
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/** The markdown cut at the last line break under the step summary's limit, with a line saying so. */
export function fitStepSummary(markdown: string, note: string): string {
  if (Buffer.byteLength(markdown, 'utf8') <= STEP_SUMMARY_MAX_BYTES) return markdown;
  const tail = `\n\n${note}\n`;
  const budget = STEP_SUMMARY_MAX_BYTES - Buffer.byteLength(tail, 'utf8');
  // A character cut in two at the byte limit lies after the last line break, so it goes too.
  const cut = Buffer.from(markdown, 'utf8').subarray(0, budget).toString('utf8');
  return cut.slice(0, Math.max(0, cut.lastIndexOf('\n'))) + tail;
}

function escapeData(value: string): string {
  return value.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

function escapeProperty(value: string): string {
  return escapeData(value).replaceAll(':', '%3A').replaceAll(',', '%2C');
}
