import { InputError, type Problem } from '../errors.ts';
import type { BaseImage, Bundle, ImageRef } from '../model/bundle.ts';
import { parseImageRef } from '../model/image-ref.ts';
import type { Report } from '../model/report.ts';
import { mergeVulnerabilities } from './merge-vulnerabilities.ts';

/** The OCI label that names the base image (SPEC §2 base_images). */
export const BASE_IMAGE_LABEL = 'org.opencontainers.image.base.name';

/** The reports about one image, before merging, with every identity they give for it. */
interface Group {
  reports: { report: Report; order: number }[];
  digests: Set<string>;
  imageIds: Set<string>;
  refs: Set<string>;
  /** The image `--image` names: it names the bundle, whatever the reports call it. */
  given?: ImageRef;
}

/**
 * Groups reports into bundles, one per image (SPEC §1). Reports that share a digest or an image ID
 * are one image; so are reports that share a normalized name:tag, unless their digests or image
 * IDs disagree (the same tag built for two platforms is two images). A report that names no image
 * (Dockle, OVAL, ClamAV, a linter's SARIF) joins the single image named by the other reports in its
 * folder; none or several there is an InputError naming it.
 *
 * `options.image` (the CLI's `--image REF`) is never ignored: every report is about that image and
 * the bundle is named by it. When the reports name several images, or a digest other than the one
 * REF names, that is an InputError.
 */
export function groupReports(reports: Report[], options: { image?: string } = {}): Bundle[] {
  const groups: Group[] = [];
  const unnamed: { report: Report; order: number }[] = [];
  reports.forEach((report, order) => {
    if (namesImage(report)) groups.push(groupOf(report, order));
    else unnamed.push({ report, order });
  });
  mergeGroups(groups);
  const keys = new Set<string>();
  if (options.image !== undefined) return reports.length === 0 ? [] : [toBundle(nameOneImage(groups, unnamed, options.image), keys)];
  attachUnnamed(groups, unnamed);
  return groups.map((group) => toBundle(group, keys));
}

/** `--image REF`: the one image all reports describe, named REF. */
function nameOneImage(groups: Group[], unnamed: { report: Report; order: number }[], image: string): Group {
  const given = parseImageRef(image);
  if (image.trim() === '') throw new InputError({ file: 'command line', message: `--image "${image}" is not an image reference` });
  if (groups.length > 1) {
    throw new InputError({
      file: 'command line',
      message: `--image ${image} names one image, but the reports name ${groups.length} (${groups.map(describeGroup).join(', ')}): pass the reports of one image, or drop --image`,
    });
  }
  const group: Group = groups[0] ?? { reports: [], digests: new Set(), imageIds: new Set(), refs: new Set() };
  if (given.digest !== undefined && group.digests.size > 0 && !group.digests.has(given.digest)) {
    throw new InputError({
      file: 'command line',
      message: `--image ${image} names digest ${given.digest}, but the reports are about ${[...group.digests].join(', ')}: they describe another image`,
    });
  }
  group.reports.push(...unnamed);
  group.given = given;
  return group;
}

function namesImage(report: Report): boolean {
  const image = report.image;
  return image !== undefined && (image.name !== undefined || image.digest !== undefined || image.imageId !== undefined || image.repoDigests.length > 0);
}

function groupOf(report: Report, order: number): Group {
  const group: Group = { reports: [{ report, order }], digests: new Set(), imageIds: new Set(), refs: new Set() };
  const image = report.image!;
  if (image.digest !== undefined) group.digests.add(image.digest);
  for (const repoDigest of image.repoDigests) {
    const at = repoDigest.lastIndexOf('@');
    if (at >= 0) group.digests.add(repoDigest.slice(at + 1));
  }
  if (image.imageId !== undefined) group.imageIds.add(image.imageId);
  for (const name of image.name === undefined ? image.repoTags : [image.name, ...image.repoTags]) {
    const parsed = parseImageRef(name);
    if (parsed.repository !== '') group.refs.add(parsed.ref);
    if (parsed.digest !== undefined && image.digest === undefined) group.digests.add(parsed.digest);
  }
  return group;
}

function intersects(a: Set<string>, b: Set<string>): boolean {
  for (const item of a) if (b.has(item)) return true;
  return false;
}

/** Both sides say, and they disagree. */
function conflicts(a: Set<string>, b: Set<string>): boolean {
  return a.size > 0 && b.size > 0 && !intersects(a, b);
}

function isSameImage(a: Group, b: Group): boolean {
  if (intersects(a.digests, b.digests) || intersects(a.imageIds, b.imageIds)) return true;
  return intersects(a.refs, b.refs) && !conflicts(a.digests, b.digests) && !conflicts(a.imageIds, b.imageIds);
}

/** Union the groups until no two name the same image; the earlier group absorbs the later one. */
function mergeGroups(groups: Group[]): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < groups.length && !changed; i += 1) {
      for (let j = i + 1; j < groups.length; j += 1) {
        if (!isSameImage(groups[i]!, groups[j]!)) continue;
        absorb(groups[i]!, groups[j]!);
        groups.splice(j, 1);
        changed = true;
        break;
      }
    }
  }
}

function absorb(into: Group, from: Group): void {
  into.reports.push(...from.reports);
  for (const digest of from.digests) into.digests.add(digest);
  for (const imageId of from.imageIds) into.imageIds.add(imageId);
  for (const ref of from.refs) into.refs.add(ref);
}

function folderOf(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return slash < 0 ? '.' : path.slice(0, slash) || '/';
}

function attachUnnamed(groups: Group[], unnamed: { report: Report; order: number }[]): void {
  if (unnamed.length === 0) return;
  const problems: Problem[] = [];
  for (const entry of unnamed) {
    const folder = folderOf(entry.report.path);
    const candidates = groups.filter((group) => group.reports.some(({ report }) => namesImage(report) && folderOf(report.path) === folder));
    if (candidates.length === 1) {
      candidates[0]!.reports.push(entry);
      continue;
    }
    const where = folder === '.' ? 'the top folder' : `the folder ${folder}`;
    problems.push({
      file: entry.report.path,
      message:
        candidates.length === 0
          ? `this ${entry.report.tool} report names no image, and no other report in ${where} names one: put it beside the image's scan report, or pass --image`
          : `this ${entry.report.tool} report names no image, and the reports in ${where} name ${candidates.length} images (${candidates.map(describeGroup).join(', ')}): cannot tell which one it is about; keep one image per folder, or pass --image`,
    });
  }
  if (problems.length > 0) throw new InputError(problems);
}

function describeGroup(group: Group): string {
  return [...group.refs][0] ?? [...group.digests][0] ?? [...group.imageIds][0] ?? '?';
}

function toBundle(group: Group, keys: Set<string>): Bundle {
  const entries = group.reports.sort((a, b) => a.order - b.order);
  const reports = entries.map(({ report }) => report);
  const image = imageRefOf(reports, group);
  const imageId = reports.find((report) => report.image?.imageId !== undefined)?.image?.imageId;
  let key = image.digest ?? image.ref;
  if (keys.has(key) && imageId !== undefined) key = `${image.ref}@${imageId}`;
  keys.add(key);
  const bundle: Bundle = {
    key,
    image,
    packages: [],
    vulnerabilities: mergeVulnerabilities(reports),
    secrets: [],
    checks: [],
    licenses: [],
    malware: [],
    oval: [],
    reports: reports.map(({ path, format, tool }) => ({ path, format, tool })),
  };
  if (imageId !== undefined) bundle.imageId = imageId;
  const packages = new Map<string, number>();
  for (const report of reports) {
    if (bundle.os === undefined && report.os !== undefined) bundle.os = report.os;
    if (bundle.config === undefined && report.config !== undefined) bundle.config = report.config;
    if (report.scannedAt !== undefined && (bundle.scannedAt === undefined || report.scannedAt > bundle.scannedAt)) bundle.scannedAt = report.scannedAt;
    if (report.listsAllPackages === true) bundle.listsAllPackages = true;
    for (const pkg of report.packages) {
      const key = `${pkg.name}\u0000${pkg.version}`;
      const seen = packages.get(key);
      if (seen === undefined) {
        packages.set(key, bundle.packages.length);
        bundle.packages.push(pkg);
      } else {
        const kept = bundle.packages[seen]!;
        const missing = pkg.licenses.filter((license) => !kept.licenses.includes(license));
        if (missing.length > 0) bundle.packages[seen] = { ...kept, licenses: [...kept.licenses, ...missing] };
      }
    }
    append(bundle.secrets, report.secrets);
    append(bundle.checks, report.checks);
    append(bundle.licenses, report.licenses);
    append(bundle.malware, report.malware);
    append(bundle.oval, report.oval);
  }
  const baseImage = baseImageOf(reports);
  if (baseImage !== undefined) bundle.baseImage = baseImage;
  return bundle;
}

function append<T>(into: T[], items: readonly T[]): void {
  for (let i = 0; i < items.length; i += 1) into.push(items[i]!);
}

/** The first name any report gives (normalized), with the first digest; an image named only by digest or ID keeps that. */
function imageRefOf(reports: Report[], group: Group): ImageRef {
  const digest = reports.find((report) => report.image?.digest !== undefined)?.image?.digest ?? [...group.digests][0];
  if (group.given !== undefined) {
    const chosen = group.given.digest ?? digest;
    return chosen === undefined ? group.given : { ...group.given, digest: chosen };
  }
  const name = reports.find((report) => report.image?.name !== undefined)?.image?.name ?? reports.find((report) => (report.image?.repoTags.length ?? 0) > 0)?.image?.repoTags[0];
  if (name !== undefined) {
    const parsed = parseImageRef(name);
    const ref: ImageRef = { ref: parsed.ref, registry: parsed.registry, repository: parsed.repository };
    if (parsed.tag !== undefined) ref.tag = parsed.tag;
    const chosen = digest ?? parsed.digest;
    if (chosen !== undefined) ref.digest = chosen;
    return ref;
  }
  const ref = [...group.refs][0];
  if (ref !== undefined) {
    const parsed = parseImageRef(ref);
    return digest === undefined ? parsed : { ...parsed, digest };
  }
  const id = digest ?? [...group.imageIds][0] ?? '';
  return digest === undefined ? { ref: id, registry: '', repository: '' } : { ref: id, registry: '', repository: '', digest };
}

/** From the label `org.opencontainers.image.base.name` of the first config that carries it. */
function baseImageOf(reports: Report[]): BaseImage | undefined {
  for (const report of reports) {
    const name = report.config?.labels[BASE_IMAGE_LABEL];
    if (name !== undefined && name !== '') return { name, source: 'label' };
  }
  return undefined;
}
