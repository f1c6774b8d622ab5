import { strToU8, zipSync } from 'fflate';
import { readFixture } from './fixtures.ts';

/**
 * Builds a workflow artifact zip in memory. Values are fixture paths under ../shared/fixtures
 * (`{ fixture: 'scans/trivy/alpine-39.json' }`) or literal content.
 */
export type ArtifactFile = { fixture: string } | string | Uint8Array;

export function buildArtifactZip(files: Record<string, ArtifactFile>): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [path, file] of Object.entries(files)) entries[path] = contentOf(file);
  return zipSync(entries, { level: 6 });
}

function contentOf(file: ArtifactFile): Uint8Array {
  if (typeof file === 'string') return strToU8(file);
  if (file instanceof Uint8Array) return file;
  return new Uint8Array(readFixture(file.fixture));
}
