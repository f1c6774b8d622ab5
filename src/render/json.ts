import type { Verdict } from '../model/verdict.ts';

/** `--format json`: exactly the verdict (SPEC §3), pretty-printed, ending with a newline. */
export function renderJson(verdict: Verdict): string {
  return `${JSON.stringify(verdict, null, 2)}\n`;
}
