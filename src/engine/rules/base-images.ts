import { parseImageRef } from '../../model/image-ref.ts';
import type { Violation } from '../../model/verdict.ts';
import { compileImageGlob } from '../image-glob.ts';
import type { RuleModule } from './rule.ts';

export const BASE_IMAGE_VIOLATION_ID = 'base-image';
/** An exception waives it by the violation ID or by the rule key. */
const BASE_IMAGE_EXCEPTION_IDS = [BASE_IMAGE_VIOLATION_ID, 'base_images'];

/**
 * `base_images: ["docker.io/library/alpine:3.*", "gcr.io/distroless/**"]` — the base image must match
 * one glob. Both sides are normalized (`alpine:3.19` is `docker.io/library/alpine:3.19`); a glob with a
 * tag matches `registry/repository:tag`, one without matches `registry/repository` (any tag), one
 * pinned by digest (`alpine@sha256:…`) needs that digest.
 * An unknown base image is a violation (fail closed).
 */
export const baseImagesRule: RuleModule = {
  key: 'base_images',
  isVulnerability: false,
  suggestsException: false,
  findingId: 'own',
  place: 'dockerfile-from',
  readsBaseImage: true,
  help: 'The image is not built from an approved base image. Rebuild it FROM one the policy allows.',
  docsAnchor: 'base_images',
  fix: (violation) => `rebuild from an approved base image: ${violation.message}`,
  compile(rules) {
    const globs = rules.base_images;
    if (globs === undefined || globs.length === 0) return undefined;
    const matchers = globs.map(compileImageGlob);
    const allowed = globs.join(', ');
    return function evaluateBaseImages(facts) {
      const baseImage = facts.bundle.baseImage;
      if (baseImage === undefined || baseImage.name.trim() === '') {
        const message =
          'the base image is unknown, so it could not be checked against the approved list; set the label org.opencontainers.image.base.name on the image (docker buildx adds it with --provenance or a LABEL)';
        return [{ violation: { rule: 'base_images', id: BASE_IMAGE_VIOLATION_ID, message }, exceptionIds: BASE_IMAGE_EXCEPTION_IDS }];
      }
      const ref = parseImageRef(baseImage.name);
      if (matchers.some((matches) => matches(ref))) return [];
      const violation: Violation = {
        rule: 'base_images',
        id: BASE_IMAGE_VIOLATION_ID,
        message: `the base image ${ref.ref} is not approved (allowed: ${allowed}); build FROM an approved base image`,
      };
      if (baseImage.source === 'dockerfile' && baseImage.location) violation.location = { ...baseImage.location };
      return [{ violation, exceptionIds: BASE_IMAGE_EXCEPTION_IDS }];
    };
  },
};
