import { groupReports } from '../src/bundles/group-reports.ts';
import { evaluate } from '../src/engine/evaluate.ts';
import type { PolicySet } from '../src/policy/schema.ts';
import { readReport } from '../src/readers/index.ts';
import { renderJson } from '../src/render/json.ts';

/** One evaluation input, timed stage by stage, median of `runs`, with GC between runs. */
export interface EvaluationFigures {
  name: string;
  bytes: number;
  findings: number;
  runs: number;
  jsonParseMs: number;
  readNormalizeMs: number;
  groupMs: number;
  evaluateMs: number;
  totalMs: number;
  ratio: number;
  /**
   * `--format json` of the verdict, timed apart: violations are built when first read (see
   * src/engine/fast/lazy-violations.ts), so this is where showing all of them is paid.
   */
  renderJsonMs: number;
  /** (total + renderJson) / JSON.parse: in-process with every violation shown. */
  ratioWithJson: number;
  allowed: boolean;
  violations: number;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

export function measureEvaluation(name: string, path: string, bytes: Buffer, policySet: PolicySet, runs: number): EvaluationFigures {
  const parse: number[] = [];
  const read: number[] = [];
  const group: number[] = [];
  const judge: number[] = [];
  const render: number[] = [];
  let findings = 0;
  let allowed = true;
  let violations = 0;
  const now = new Date('2026-11-26T00:00:00Z');
  for (let run = 0; run < runs; run++) {
    gc();
    let start = performance.now();
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    parse.push(performance.now() - start);
    if (parsed === null) throw new Error('unreachable');

    gc();
    start = performance.now();
    const report = readReport(path, bytes);
    read.push(performance.now() - start);
    start = performance.now();
    const bundles = groupReports([report]);
    group.push(performance.now() - start);
    start = performance.now();
    const verdict = evaluate(bundles, policySet, { now, branch: 'main', environment: 'production' });
    judge.push(performance.now() - start);
    start = performance.now();
    const json = renderJson(verdict, { toolVersion: 'bench' });
    render.push(performance.now() - start);
    if (json.length === 0) throw new Error('unreachable');

    findings = report.vulnerabilities.length + report.secrets.length + report.checks.length + report.licenses.length;
    allowed = verdict.allowed;
    violations = verdict.images.reduce((sum, image) => sum + image.policies.reduce((n, p) => n + p.violations.length, 0), 0);
  }
  const jsonParseMs = median(parse);
  const readNormalizeMs = median(read);
  const groupMs = median(group);
  const evaluateMs = median(judge);
  const totalMs = readNormalizeMs + groupMs + evaluateMs;
  const renderJsonMs = median(render);
  return {
    name,
    bytes: bytes.length,
    findings,
    runs,
    jsonParseMs: round(jsonParseMs),
    readNormalizeMs: round(readNormalizeMs),
    groupMs: round(groupMs),
    evaluateMs: round(evaluateMs),
    totalMs: round(totalMs),
    ratio: round(totalMs / jsonParseMs, 3),
    renderJsonMs: round(renderJsonMs),
    ratioWithJson: round((totalMs + renderJsonMs) / jsonParseMs, 3),
    allowed,
    violations,
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
