import type { Verdict } from '../model/verdict.ts';

export interface JsonOptions {
  /** This tool's version: the output says which version judged. */
  toolVersion: string;
}

/**
 * `--format json`: the verdict (SPEC §3), pretty-printed, ending with a newline, with one field
 * more first: `tool`, the name and version that judged (SPEC: more fields may be added).
 */
export function renderJson(verdict: Verdict, options: JsonOptions): string {
  return `${JSON.stringify({ tool: { name: 'image-assurance', version: options.toolVersion }, ...verdict }, null, 2)}\n`;
}
