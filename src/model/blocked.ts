import type { ImageStatus, ImageVerdict, PolicyVerdict, Verdict } from './verdict.ts';

/**
 * What "blocked" means (SPEC §2), in one place: the engine derives an image's status with
 * `imageStatusOf`, and everything that reads a verdict (the check's conclusion and title, the
 * comment, the CLI's exit code, the Action, the merge of runs, policy previews) asks `isImageBlocked`
 * or `isVerdictBlocked` instead of reading `allowed` or `status` on its own.
 */

/**
 * A policy blocks its image when it failed and is enforced as `block` at evaluation time: a
 * `shadow` policy (or a block policy before its `enforce_from` day) would block and does not; a
 * `warn` policy reports.
 */
export function isBlocking(policy: Pick<PolicyVerdict, 'passed' | 'enforcement'>): boolean {
  return !policy.passed && policy.enforcement === 'block';
}

/**
 * An image's status from its policies: `blocked` when one of them blocks (or the image is
 * unscoped and `settings.unscoped_images` is `block`); `warned` when a `warn` policy failed or a
 * policy's `findings: introduced` left warnings; `allowed` otherwise. Shadow policies never change it.
 */
export function imageStatusOf(policies: readonly PolicyVerdict[], isBlockedAsUnscoped: boolean): ImageStatus {
  if (isBlockedAsUnscoped) return 'blocked';
  let status: ImageStatus = 'allowed';
  for (const policy of policies) {
    if (policy.enforcement === 'shadow') continue;
    if (isBlocking(policy)) return 'blocked';
    if (!policy.passed || (policy.warnings?.length ?? 0) > 0) status = 'warned';
  }
  return status;
}

/**
 * Whether a judged image is blocked: its status says `blocked`, or it is not `allowed`. Either one
 * is enough, so a verdict that contradicts itself (stored, merged, edited) blocks: fail closed.
 */
export function isImageBlocked(image: Pick<ImageVerdict, 'allowed' | 'status'>): boolean {
  return image.status === 'blocked' || !image.allowed;
}

/** The status an image is shown and counted with: `blocked` whenever `isImageBlocked`, else its own. */
export function shownStatusOf(image: Pick<ImageVerdict, 'allowed' | 'status'>): ImageStatus {
  return isImageBlocked(image) ? 'blocked' : image.status;
}

/** Whether a verdict blocks: it is not `allowed`, or one of its images is blocked. */
export function isVerdictBlocked(verdict: Pick<Verdict, 'allowed' | 'images'>): boolean {
  return !verdict.allowed || verdict.images.some(isImageBlocked);
}
