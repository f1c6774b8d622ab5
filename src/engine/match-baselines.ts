import type { Bundle } from '../model/bundle.ts';
import type { BaselineRef } from '../model/verdict.ts';
import type { Baseline } from './attribution.ts';

/**
 * Pairs each bundle with the baseline bundle of the same image name (`registry/repository`, tags
 * and digests aside); one image against one baseline pairs whatever their names (a renamed image,
 * a local tarball). A bundle with no pair has no baseline: every finding counts as introduced.
 */
export function matchBaselines(bundles: readonly Bundle[], baselineBundles: readonly Bundle[], ref: BaselineRef): Map<string, Baseline> {
  const baselines = new Map<string, Baseline>();
  if (bundles.length === 1 && baselineBundles.length === 1) {
    baselines.set(bundles[0]!.key, { bundle: baselineBundles[0]!, ref: refOf(ref, baselineBundles[0]!) });
    return baselines;
  }
  const byName = new Map<string, Bundle>();
  for (const bundle of baselineBundles) if (!byName.has(imageNameOf(bundle))) byName.set(imageNameOf(bundle), bundle);
  for (const bundle of bundles) {
    const baseline = byName.get(imageNameOf(bundle));
    if (baseline !== undefined) baselines.set(bundle.key, { bundle: baseline, ref: refOf(ref, baseline) });
  }
  return baselines;
}

/** `registry/repository` of a bundle's image, the name default-branch scans are stored under; its ref when it has none. */
export function imageNameOf(bundle: Bundle): string {
  const { registry, repository, ref } = bundle.image;
  return repository === '' ? ref : `${registry}/${repository}`;
}

function refOf(ref: BaselineRef, baseline: Bundle): BaselineRef {
  return baseline.image.digest === undefined || ref.digest !== undefined ? ref : { ...ref, digest: baseline.image.digest };
}
