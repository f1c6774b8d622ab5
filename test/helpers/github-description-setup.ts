import { ensureDescriptionIndex } from './github-description.ts';

/** Vitest global setup: the operations of GitHub's REST description are extracted once, not by each worker. */
export default function setup(): void {
  ensureDescriptionIndex();
}
