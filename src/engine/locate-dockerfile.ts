import type { ImageVerdict, PolicyVerdict, Verdict, Violation } from '../model/verdict.ts';
import { RULES } from './rules/index.ts';

/**
 * The last step of judging a run: findings whose rule says they are in the Dockerfile (its
 * `place`: `root_user` at the USER line, `base_images` at the FROM line) are pointed at that line,
 * so the check annotates them and code scanning shows them there. Pure: a new verdict comes out,
 * the one that went in is not changed.
 */

/** Where an image's Dockerfile is in the repository, and the lines of its final stage that findings point at. */
export interface DockerfilePlaces {
  path: string;
  /** The final stage's FROM line; a Dockerfile without one locates nothing. */
  from?: { line: number };
  /** The last USER that applies to the final stage. */
  user?: { line: number };
}

/** The line a violation belongs at, when its rule places it in the Dockerfile and it has no location yet. */
function lineOf(violation: Violation, dockerfile: DockerfilePlaces): number | undefined {
  if (violation.location !== undefined || dockerfile.from === undefined) return undefined;
  switch (RULES[violation.rule].place) {
    case 'image':
      return undefined;
    case 'dockerfile-from':
      return dockerfile.from.line;
    case 'dockerfile-user':
      // No USER line: the final stage's FROM starts what runs as root.
      return dockerfile.user?.line ?? dockerfile.from.line;
  }
}

/** Whether the image has a finding its Dockerfile would locate: read the Dockerfile only then. */
export function needsDockerfile(image: ImageVerdict): boolean {
  return image.policies.some((policy) => policy.violations.some((violation) => violation.location === undefined && RULES[violation.rule].place !== 'image'));
}

/**
 * The verdict with each Dockerfile finding that has no location yet pointed at its line in the
 * image's Dockerfile. `dockerfiles[i]` is the Dockerfile of `verdict.images[i]`; an image without
 * one is left as it is. Unchanged images, policies and violations are the same objects as in
 * `verdict`: treat both as read-only.
 */
export function locateInDockerfile(verdict: Verdict, dockerfiles: readonly (DockerfilePlaces | undefined)[]): Verdict {
  let isChanged = false;
  const images = verdict.images.map((image, index) => {
    const dockerfile = dockerfiles[index];
    if (dockerfile === undefined) return image;
    const located = locateImage(image, dockerfile);
    if (located !== image) isChanged = true;
    return located;
  });
  return isChanged ? { ...verdict, images } : verdict;
}

function locateImage(image: ImageVerdict, dockerfile: DockerfilePlaces): ImageVerdict {
  let isChanged = false;
  const policies = image.policies.map((policy): PolicyVerdict => {
    let isPolicyChanged = false;
    const violations = policy.violations.map((violation) => {
      const line = lineOf(violation, dockerfile);
      if (line === undefined) return violation;
      isPolicyChanged = true;
      return { ...violation, location: { path: dockerfile.path, line } };
    });
    if (!isPolicyChanged) return policy;
    isChanged = true;
    return { ...policy, violations };
  });
  return isChanged ? { ...image, policies } : image;
}
