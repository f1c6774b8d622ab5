import type { Bundle } from '../model/bundle.ts';
import { globToRegExp, matchesAnyGlob } from '../model/glob.ts';
import { DEFAULT_REGISTRY } from '../model/image-ref.ts';
import type { Scope } from '../policy/schema.ts';
import { compileImageGlob } from './image-glob.ts';

/** Docker Hub's other names (as parseImageRef reads them). */
const DOCKER_HUB_ALIASES = new Set(['index.docker.io', 'registry-1.docker.io']);

export interface ScopeContext {
  branch?: string;
  environment?: string;
}

/** A policy's scope compiled once per evaluation: `matches(bundle, context)` is cheap. */
export interface CompiledScope {
  matches(bundle: Bundle, context: ScopeContext): boolean;
}

type ImageMatcher = ReturnType<typeof compileImageGlob>;

/**
 * SPEC §2: every key given must match; a list matches if any entry does; no scope = every image.
 * - images: globs on the normalized `registry/repository` (a glob with a tag, `alpine:3.*`, on `registry/repository:tag`);
 * - registries: globs on the registry; tags: globs on the tag (an image without a tag does not match);
 * - labels: every label must exist in the image config and its value match the glob (`*` crosses `/` there);
 * - branches / environments: globs on the context's branch / environment; none given = no match.
 */
export function compileScope(scope: Scope | undefined): CompiledScope {
  if (scope === undefined) return { matches: () => true };
  const images: ImageMatcher[] | undefined = scope.images?.map(compileImageGlob);
  const registries = scope.registries?.map((glob) => (DOCKER_HUB_ALIASES.has(glob.trim()) ? DEFAULT_REGISTRY : glob.trim()));
  // A label value is not a path: `*` matches across `/` there (`https://github.com/acme/*`).
  const labels = scope.labels === undefined ? undefined : Object.entries(scope.labels).map(([name, glob]) => ({ name, regExp: globToRegExp(glob.replace(/\*+/g, '**')) }));
  return {
    matches(bundle, context) {
      const image = bundle.image;
      if (images !== undefined && !matchesImage(images, bundle)) return false;
      if (registries !== undefined && !matchesAnyGlob(image.registry, registries)) return false;
      if (scope.tags !== undefined && (image.tag === undefined || !matchesAnyGlob(image.tag, scope.tags))) return false;
      if (labels !== undefined) {
        const imageLabels = bundle.config?.labels;
        for (const { name, regExp } of labels) {
          const value = imageLabels !== undefined && Object.hasOwn(imageLabels, name) ? imageLabels[name] : undefined;
          if (value === undefined || !regExp.test(value)) return false;
        }
      }
      if (scope.branches !== undefined && (context.branch === undefined || !matchesAnyGlob(context.branch, scope.branches))) return false;
      if (scope.environments !== undefined && (context.environment === undefined || !matchesAnyGlob(context.environment, scope.environments))) return false;
      return true;
    },
  };
}

function matchesImage(matchers: readonly ImageMatcher[], bundle: Bundle): boolean {
  for (const matches of matchers) if (matches(bundle.image)) return true;
  return false;
}

/** Whether `images` globs (exceptions use the same rules as scopes) match the bundle's image. */
export function matchesImageGlobs(globs: readonly string[], bundle: Bundle): boolean {
  return matchesImage(globs.map(compileImageGlob), bundle);
}
