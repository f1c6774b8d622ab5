import { groupReports } from '../src/bundles/group-reports.ts';
import { evaluate } from '../src/engine/evaluate.ts';
import type { PolicySet } from '../src/policy/schema.ts';
import { readReport } from '../src/readers/index.ts';
import { renderJson } from '../src/render/json.ts';

/**
 * One evaluation input, timed stage by stage, with GC before each timed step: the times are medians
 * of `runs`; the ratios are medians of each run's own ratio (see measureEvaluation).
 */
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
  /** (read + group + evaluate) / JSON.parse: the median of each run's own ratio. */
  ratio: number;
  /**
   * `--format json` of the verdict, timed apart: violations are built when first read (see
   * src/engine/fast/lazy-violations.ts), so this is where showing all of them is paid.
   */
  renderJsonMs: number;
  /** (total + renderJson) / JSON.parse: in-process with every violation shown; the median of each run's own ratio. */
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
  // The machine is shared: one operation's time swings by half between runs seconds apart. So each
  // run times the bare JSON.parse next to the pipeline (first one, then the other: even runs parse
  // first, odd runs read first, so that neither always inherits the other's heap), and the ratio is
  // the median of the runs' own ratios, not a ratio of medians taken at different moments.
  const ratios: number[] = [];
  const ratiosWithJson: number[] = [];
  for (let run = 0; run < runs; run++) {
    const parseMs = () => {
      gc();
      const start = performance.now();
      const parsed: unknown = JSON.parse(bytes.toString('utf8'));
      const ms = performance.now() - start;
      if (parsed === null) throw new Error('unreachable');
      return ms;
    };
    const pipeline = () => {
      gc();
      let start = performance.now();
      const report = readReport(path, bytes);
      const readMs = performance.now() - start;
      start = performance.now();
      const bundles = groupReports([report]);
      const groupMs = performance.now() - start;
      start = performance.now();
      const verdict = evaluate(bundles, policySet, { now, branch: 'main', environment: 'production' });
      const evaluateMs = performance.now() - start;
      start = performance.now();
      const json = renderJson(verdict, { toolVersion: 'bench' });
      const renderMs = performance.now() - start;
      if (json.length === 0) throw new Error('unreachable');
      findings = report.vulnerabilities.length + report.secrets.length + report.checks.length + report.licenses.length;
      allowed = verdict.allowed;
      violations = verdict.images.reduce((sum, image) => sum + image.policies.reduce((n, p) => n + p.violations.length, 0), 0);
      return { readMs, groupMs, evaluateMs, renderMs };
    };
    const parseFirst = run % 2 === 0;
    const parsedMs = parseFirst ? parseMs() : undefined;
    const timed = pipeline();
    const baselineMs = parsedMs ?? parseMs();
    parse.push(baselineMs);
    read.push(timed.readMs);
    group.push(timed.groupMs);
    judge.push(timed.evaluateMs);
    render.push(timed.renderMs);
    const pipelineMs = timed.readMs + timed.groupMs + timed.evaluateMs;
    ratios.push(pipelineMs / baselineMs);
    ratiosWithJson.push((pipelineMs + timed.renderMs) / baselineMs);
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
    ratio: round(median(ratios), 3),
    renderJsonMs: round(renderJsonMs),
    ratioWithJson: round(median(ratiosWithJson), 3),
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
