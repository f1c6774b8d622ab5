import { Environment } from '@marcbachmann/cel-js';
import type { ASTNode } from '@marcbachmann/cel-js';
import type { Bundle } from '../model/bundle.ts';
import type { Vulnerability } from '../model/report.ts';
import { bestCvss } from './cvss.ts';

/**
 * CEL for `custom` rules (SPEC §2): `when` is an expression over `bundle`; `true` means a violation.
 *
 * Limits, so that a policy file can never stall or crash an evaluation:
 * - the expression is at most {@link MAX_EXPRESSION_CHARS} characters and {@link MAX_AST_NODES} nodes;
 * - comprehensions (`all`, `exists`, `exists_one`, `map`, `filter`) nest at most
 *   {@link MAX_COMPREHENSION_DEPTH} deep, which bounds the work to (list size)²;
 * - one evaluation may take {@link EVALUATION_BUDGET_MS}; the time is measured around the call (CEL
 *   cannot be interrupted), and an evaluation over budget counts as failed.
 * A failed evaluation — over budget, an error such as a missing key, or a result that is not a bool —
 * is reported by {@link CompiledCel.tryEvaluate} with the reason, and the custom rule turns it into a
 * violation (fail closed).
 */

export const MAX_EXPRESSION_CHARS = 4096;
export const MAX_AST_NODES = 1000;
export const MAX_COMPREHENSION_DEPTH = 2;
export const EVALUATION_BUDGET_MS = 1000;

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

const environment = new Environment({
  limits: { maxAstNodes: MAX_AST_NODES, maxDepth: 64, maxListElements: 256, maxMapEntries: 256, maxCallArguments: 16 },
}).registerVariable('bundle', 'map');

export interface CelProblem {
  message: string;
  /** 0-based character offset into the expression, where known. */
  offset?: number;
}

export type CelResult = { ok: true; value: boolean } | { ok: false; reason: string };

/** The plain object CEL sees as `bundle`. Build it once per bundle with {@link toCelActivation}. */
export type CelActivation = { bundle: Record<string, unknown> };

export interface CompiledCel {
  readonly expression: string;
  /** `true` = violation. Throws {@link CelEvaluationError} when the evaluation fails (see {@link tryEvaluate}). */
  evaluate(bundle: Bundle): boolean;
  /** Never throws: a failed evaluation comes back with the reason. */
  tryEvaluate(activation: CelActivation): CelResult;
}

export class CelEvaluationError extends Error {
  override readonly name = 'CelEvaluationError';
  readonly reason: string;
  constructor(expression: string, reason: string) {
    super(`CEL expression "${expression}" could not be evaluated: ${reason}`);
    this.reason = reason;
  }
}

/** Checks an expression as the policy loader needs it: `undefined` when valid, else the problem and where. */
export function checkCel(expression: string): CelProblem | undefined {
  const compiled = compileOrProblem(expression);
  return 'problem' in compiled ? compiled.problem : undefined;
}

/** Parses once; the result evaluates many bundles. Throws an Error with the problem when the expression is invalid (run {@link checkCel} first). */
export function compileCel(expression: string): CompiledCel {
  const compiled = compileOrProblem(expression);
  if ('problem' in compiled) throw new Error(`invalid CEL expression "${expression}": ${compiled.problem.message}`);
  const program = compiled.program;
  function tryEvaluate(activation: CelActivation): CelResult {
    const started = performance.now();
    let value: unknown;
    try {
      value = program(activation);
    } catch (error) {
      return { ok: false, reason: describeError(error) };
    }
    const elapsedMs = performance.now() - started;
    if (elapsedMs > EVALUATION_BUDGET_MS) {
      return { ok: false, reason: `it took ${Math.round(elapsedMs)} ms, over the budget of ${EVALUATION_BUDGET_MS} ms` };
    }
    if (typeof value !== 'boolean') return { ok: false, reason: `it returned ${describeValue(value)}, not a bool` };
    return { ok: true, value };
  }
  return {
    expression,
    tryEvaluate,
    evaluate(bundle: Bundle): boolean {
      const result = tryEvaluate(toCelActivation(bundle));
      if (!result.ok) throw new CelEvaluationError(expression, result.reason);
      return result.value;
    },
  };
}

type Program = ((context: CelActivation) => unknown) & { ast: ASTNode; check(): { valid: boolean; type?: string; error?: Error } };

function compileOrProblem(expression: string): { program: Program } | { problem: CelProblem } {
  if (expression.length > MAX_EXPRESSION_CHARS) {
    return { problem: { message: `the expression is ${expression.length} characters long; at most ${MAX_EXPRESSION_CHARS} are allowed`, offset: MAX_EXPRESSION_CHARS } };
  }
  let program: Program;
  try {
    program = environment.parse(expression) as Program;
  } catch (error) {
    return { problem: problemOf(error) };
  }
  const checked = program.check();
  if (!checked.valid) return { problem: problemOf(checked.error) };
  if (checked.type !== 'bool' && checked.type !== 'dyn') {
    return { problem: { message: `the expression returns ${checked.type ?? 'an unknown type'}; it must return a bool (true = violation)`, offset: 0 } };
  }
  const deepest = findTooDeep(program.ast, 0);
  if (deepest) {
    return { problem: { message: `comprehensions nest more than ${MAX_COMPREHENSION_DEPTH} deep; the evaluation cost would be unbounded`, offset: deepest.start } };
  }
  return { program };
}

/** Returns the first comprehension nested deeper than allowed. A chain (`filter(...).exists(...)`) does not nest. */
function findTooDeep(node: ASTNode, depth: number): ASTNode | undefined {
  if (node.op === 'rcall') {
    const [name, receiver, args] = node.args;
    const inReceiver = findTooDeep(receiver, depth);
    if (inReceiver) return inReceiver;
    const isComprehension = COMPREHENSIONS.has(name);
    const innerDepth = isComprehension ? depth + 1 : depth;
    if (innerDepth > MAX_COMPREHENSION_DEPTH) return node;
    for (const arg of args) {
      const found = findTooDeep(arg, innerDepth);
      if (found) return found;
    }
    return undefined;
  }
  for (const child of childrenOf(node)) {
    const found = findTooDeep(child, depth);
    if (found) return found;
  }
  return undefined;
}

function childrenOf(node: ASTNode): ASTNode[] {
  const children: ASTNode[] = [];
  collect(node.args, children);
  return children;
}

function collect(value: unknown, into: ASTNode[]): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, into);
  } else if (isAstNode(value)) {
    into.push(value);
  }
}

function isAstNode(value: unknown): value is ASTNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value;
}

function problemOf(error: unknown): CelProblem {
  if (error instanceof Error) {
    const withRange = error as Error & { summary?: string; range?: { start: number } };
    const message = withRange.summary ?? error.message;
    return withRange.range ? { message, offset: withRange.range.start } : { message };
  }
  return { message: String(error) };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return (error as Error & { summary?: string }).summary ?? error.message;
  return String(error);
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return `the int ${value}`;
  if (typeof value === 'string') return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value === 'object' ? 'map' : typeof value}`;
}

/**
 * The `bundle` CEL sees: plain data, absent optional parts left out (test them with `has()`).
 * Vulnerabilities carry `cvss` (the SPEC §2 score, 0.0 when there is none) with `hasCvss`, and `hasFix`.
 * `cvssScores` are those scores by index (NaN for none) when the caller has them already (see facts.ts).
 */
export function toCelActivation(bundle: Bundle, cvssScores?: Float64Array): CelActivation {
  const image: Record<string, unknown> = { ref: bundle.image.ref, registry: bundle.image.registry, repository: bundle.image.repository };
  if (bundle.image.tag !== undefined) image.tag = bundle.image.tag;
  if (bundle.image.digest !== undefined) image.digest = bundle.image.digest;
  const celBundle: Record<string, unknown> = { image };
  // The lists are built on first access: an expression over `bundle.os` never copies 100,000 vulnerabilities.
  defineLazy(celBundle, 'packages', () => bundle.packages.map((p) => ({ name: p.name, version: p.version, type: p.type, licenses: p.licenses, path: p.path ?? '' })));
  defineLazy(celBundle, 'vulnerabilities', () =>
    bundle.vulnerabilities.map((v, i) => {
      const score = cvssScores === undefined ? bestCvss(v.cvss) : cvssScores[i]!;
      return toCelVulnerability(v, score === undefined || Number.isNaN(score) ? undefined : score);
    }),
  );
  defineLazy(celBundle, 'secrets', () => bundle.secrets.map((s) => ({ ruleId: s.ruleId, category: s.category ?? '', severity: s.severity, title: s.title, target: s.target })));
  defineLazy(celBundle, 'checks', () => bundle.checks.map((c) => ({ id: c.id, altIds: c.altIds, title: c.title, severity: c.severity, status: c.status, tool: c.tool })));
  defineLazy(celBundle, 'licenses', () => bundle.licenses.map((l) => ({ license: l.license, package: l.package ?? '', severity: l.severity ?? 'unknown' })));
  defineLazy(celBundle, 'malware', () => bundle.malware.map((m) => ({ signature: m.signature, path: m.path })));
  defineLazy(celBundle, 'oval', () => bundle.oval.map((o) => ({ id: o.id, class: o.class, result: o.result, title: o.title ?? '', refs: o.refs })));
  if (bundle.os) celBundle.os = { family: bundle.os.family, name: bundle.os.name, eol: bundle.os.eol };
  if (bundle.config) celBundle.config = { user: bundle.config.user ?? '', labels: bundle.config.labels };
  if (bundle.baseImage) celBundle.baseImage = { name: bundle.baseImage.name, source: bundle.baseImage.source };
  return { bundle: celBundle };
}

/** An own, enumerable property computed on first read, then kept as a plain value. */
function defineLazy(target: Record<string, unknown>, key: string, compute: () => unknown): void {
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get() {
      const value = compute();
      Object.defineProperty(target, key, { value, enumerable: true, configurable: false, writable: false });
      return value;
    },
  });
}

function toCelVulnerability(v: Vulnerability, cvss: number | undefined): Record<string, unknown> {
  return {
    id: v.id,
    aliases: v.aliases,
    package: v.package,
    installedVersion: v.installedVersion,
    fixedVersion: v.fixedVersion ?? '',
    severity: v.severity,
    cvss: cvss ?? 0,
    hasCvss: cvss !== undefined,
    hasFix: v.fixedVersion !== undefined,
  };
}
