import { Environment } from '@marcbachmann/cel-js';
import type { ASTNode } from '@marcbachmann/cel-js';
import type { Bundle } from '../model/bundle.ts';
import type { Vulnerability } from '../model/report.ts';
import { createCostMeter, meterEvaluation } from './cel-cost.ts';
import { findInvalidPattern, useLinearRegex } from './cel-regex.ts';
import { bestCvss } from './cvss.ts';

/**
 * CEL for `custom` rules (SPEC §2): `when` is an expression over `bundle`; `true` means a violation.
 *
 * `bundle` has a declared shape (the classes below): a field that does not exist (`bundle.vulns`,
 * `v.sev`) or an operand of the wrong type is a type error when the policy is loaded, at its
 * place, never a failed evaluation at run time.
 *
 * Limits, so that a policy file can never stall or crash an evaluation:
 * - the expression is at most {@link MAX_EXPRESSION_CHARS} characters and {@link MAX_AST_NODES} nodes;
 * - comprehensions (`all`, `exists`, `exists_one`, `map`, `filter`) nest at most
 *   {@link MAX_COMPREHENSION_DEPTH} deep;
 * - `matches` runs on RE2, in linear time (see cel-regex.ts);
 * - one evaluation may take at most {@link EVALUATION_BUDGET_STEPS} steps, counted while it runs
 *   (see cel-cost.ts): an evaluation that reaches the budget stops there and counts as failed. The
 *   count is deterministic; the budget is 1–3 s of evaluation on the machines we measured (a
 *   nested `exists` over 20,000 vulnerabilities, 400 million iterations, used to run for 90 s).
 * A failed evaluation — over budget, an error such as a missing key, or a result that is not a bool —
 * is reported by {@link CompiledCel.tryEvaluate} with the reason, and the custom rule turns it into a
 * violation (fail closed).
 */

export const MAX_EXPRESSION_CHARS = 4096;
export const MAX_AST_NODES = 1000;
export const MAX_COMPREHENSION_DEPTH = 2;
export const EVALUATION_BUDGET_STEPS = 10_000_000;

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

// The shape of `bundle`. Instances of these classes are what CEL sees: it knows a value's type by its constructor.
class CelImage {
  constructor(
    readonly ref: string,
    readonly registry: string,
    readonly repository: string,
    readonly tag: string | undefined,
    readonly digest: string | undefined,
  ) {}
}
class CelOs {
  constructor(readonly family: string, readonly name: string, readonly eol: boolean) {}
}
class CelPackage {
  constructor(readonly name: string, readonly version: string, readonly type: string, readonly licenses: readonly string[], readonly path: string) {}
}
class CelVulnerability {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly package: string;
  readonly installedVersion: string;
  readonly fixedVersion: string;
  readonly severity: string;
  /** The SPEC §2 score, 0.0 when there is none (then `hasCvss` is false). */
  readonly cvss: number;
  readonly hasCvss: boolean;
  readonly hasFix: boolean;
  constructor(v: Vulnerability, cvss: number | undefined) {
    this.id = v.id;
    this.aliases = v.aliases;
    this.package = v.package;
    this.installedVersion = v.installedVersion;
    this.fixedVersion = v.fixedVersion ?? '';
    this.severity = v.severity;
    this.cvss = cvss ?? 0;
    this.hasCvss = cvss !== undefined;
    this.hasFix = v.fixedVersion !== undefined;
  }
}
class CelSecret {
  constructor(readonly ruleId: string, readonly category: string, readonly severity: string, readonly title: string, readonly target: string) {}
}
class CelCheck {
  constructor(readonly id: string, readonly altIds: readonly string[], readonly title: string, readonly severity: string, readonly status: string, readonly tool: string) {}
}
class CelLicense {
  readonly package: string;
  constructor(readonly license: string, packageName: string, readonly severity: string) {
    this.package = packageName;
  }
}
class CelMalware {
  constructor(readonly signature: string, readonly path: string) {}
}
class CelOval {
  readonly id: string;
  readonly class: string;
  constructor(id: string, ovalClass: string, readonly result: string, readonly title: string, readonly refs: readonly string[]) {
    this.id = id;
    this.class = ovalClass;
  }
}
class CelConfig {
  constructor(readonly user: string, readonly labels: Readonly<Record<string, string>>) {}
}
class CelBaseImage {
  constructor(readonly name: string, readonly source: string) {}
}
/** The lists are own properties computed on first read (see toCelActivation); the optional parts are absent when the bundle has none. */
class CelBundle {
  declare readonly packages: readonly CelPackage[];
  declare readonly vulnerabilities: readonly CelVulnerability[];
  declare readonly secrets: readonly CelSecret[];
  declare readonly checks: readonly CelCheck[];
  declare readonly licenses: readonly CelLicense[];
  declare readonly malware: readonly CelMalware[];
  declare readonly oval: readonly CelOval[];
  declare os?: CelOs;
  declare config?: CelConfig;
  declare baseImage?: CelBaseImage;
  constructor(readonly image: CelImage) {}
}

const environment = new Environment({
  limits: { maxAstNodes: MAX_AST_NODES, maxDepth: 64, maxListElements: 256, maxMapEntries: 256, maxCallArguments: 16 },
})
  .registerType('Image', { ctor: CelImage, fields: { ref: 'string', registry: 'string', repository: 'string', tag: 'string', digest: 'string' } })
  .registerType('OperatingSystem', { ctor: CelOs, fields: { family: 'string', name: 'string', eol: 'bool' } })
  .registerType('Package', { ctor: CelPackage, fields: { name: 'string', version: 'string', type: 'string', licenses: 'list<string>', path: 'string' } })
  .registerType('Vulnerability', {
    ctor: CelVulnerability,
    fields: {
      id: 'string',
      aliases: 'list<string>',
      package: 'string',
      installedVersion: 'string',
      fixedVersion: 'string',
      severity: 'string',
      cvss: 'double',
      hasCvss: 'bool',
      hasFix: 'bool',
    },
  })
  .registerType('Secret', { ctor: CelSecret, fields: { ruleId: 'string', category: 'string', severity: 'string', title: 'string', target: 'string' } })
  .registerType('Check', { ctor: CelCheck, fields: { id: 'string', altIds: 'list<string>', title: 'string', severity: 'string', status: 'string', tool: 'string' } })
  .registerType('License', { ctor: CelLicense, fields: { license: 'string', package: 'string', severity: 'string' } })
  .registerType('Malware', { ctor: CelMalware, fields: { signature: 'string', path: 'string' } })
  .registerType('OvalResult', { ctor: CelOval, fields: { id: 'string', class: 'string', result: 'string', title: 'string', refs: 'list<string>' } })
  .registerType('ImageConfig', { ctor: CelConfig, fields: { user: 'string', labels: 'map<string, string>' } })
  .registerType('BaseImage', { ctor: CelBaseImage, fields: { name: 'string', source: 'string' } })
  .registerType('Bundle', {
    ctor: CelBundle,
    fields: {
      image: 'Image',
      os: 'OperatingSystem',
      packages: 'list<Package>',
      vulnerabilities: 'list<Vulnerability>',
      secrets: 'list<Secret>',
      checks: 'list<Check>',
      licenses: 'list<License>',
      malware: 'list<Malware>',
      oval: 'list<OvalResult>',
      config: 'ImageConfig',
      baseImage: 'BaseImage',
    },
  })
  .registerVariable('bundle', 'Bundle');

export interface CelProblem {
  message: string;
  /** 0-based character offset into the expression, where known. */
  offset?: number;
}

/** `steps`: what the evaluation cost (see cel-cost.ts); the same expression and bundle always cost the same. */
export type CelResult = { ok: true; value: boolean; steps: number } | { ok: false; reason: string; isOverBudget: boolean; steps: number };

/** What CEL sees as `bundle`. Build it once per bundle with {@link toCelActivation}. */
export type CelActivation = { bundle: CelBundle };

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

/**
 * Parses once; the result evaluates many bundles. Throws an Error with the problem when the
 * expression is invalid (run {@link checkCel} first). `budgetSteps` is for tests.
 */
export function compileCel(expression: string, { budgetSteps = EVALUATION_BUDGET_STEPS }: { budgetSteps?: number } = {}): CompiledCel {
  const compiled = compileOrProblem(expression);
  if ('problem' in compiled) throw new Error(`invalid CEL expression "${expression}": ${compiled.problem.message}`);
  const program = compiled.program;
  const meter = createCostMeter(budgetSteps);
  useLinearRegex(program.ast);
  meterEvaluation(program.ast, meter);
  function tryEvaluate(activation: CelActivation): CelResult {
    meter.steps = 0;
    let value: unknown;
    let failure: unknown;
    try {
      value = program(activation);
    } catch (error) {
      failure = error;
    }
    // Over budget wins over the result: `||` and `&&` may have absorbed the budget's error.
    if (meter.steps > meter.limit) return { ok: false, reason: `it went over the evaluation budget of ${budgetSteps.toLocaleString('en-US')} steps`, isOverBudget: true, steps: meter.steps };
    if (failure !== undefined) return { ok: false, reason: describeError(failure), isOverBudget: false, steps: meter.steps };
    if (typeof value !== 'boolean') return { ok: false, reason: `it returned ${describeValue(value)}, not a bool`, isOverBudget: false, steps: meter.steps };
    return { ok: true, value, steps: meter.steps };
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
  const badPattern = findInvalidPattern(program.ast);
  if (badPattern) return { problem: badPattern };
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
 * The `bundle` CEL sees, of the shape declared above; absent optional parts are left out (test
 * them with `has()`). Vulnerabilities carry `cvss` (the SPEC §2 score, 0.0 when there is none) with
 * `hasCvss`, and `hasFix`. `cvssScores` are those scores by index (NaN for none) when the caller has
 * them already (see facts.ts).
 */
export function toCelActivation(bundle: Bundle, cvssScores?: Float64Array): CelActivation {
  const { image } = bundle;
  const celBundle = new CelBundle(new CelImage(image.ref, image.registry, image.repository, image.tag, image.digest));
  // The lists are built on first access: an expression over `bundle.os` never copies 100,000 vulnerabilities.
  defineLazy(celBundle, 'packages', () => bundle.packages.map((p) => new CelPackage(p.name, p.version, p.type, p.licenses, p.path ?? '')));
  defineLazy(celBundle, 'vulnerabilities', () =>
    bundle.vulnerabilities.map((v, i) => {
      const score = cvssScores === undefined ? bestCvss(v.cvss) : cvssScores[i]!;
      return new CelVulnerability(v, score === undefined || Number.isNaN(score) ? undefined : score);
    }),
  );
  defineLazy(celBundle, 'secrets', () => bundle.secrets.map((s) => new CelSecret(s.ruleId, s.category ?? '', s.severity, s.title, s.target)));
  defineLazy(celBundle, 'checks', () => bundle.checks.map((c) => new CelCheck(c.id, c.altIds, c.title, c.severity, c.status, c.tool)));
  defineLazy(celBundle, 'licenses', () => bundle.licenses.map((l) => new CelLicense(l.license, l.package ?? '', l.severity ?? 'unknown')));
  defineLazy(celBundle, 'malware', () => bundle.malware.map((m) => new CelMalware(m.signature, m.path)));
  defineLazy(celBundle, 'oval', () => bundle.oval.map((o) => new CelOval(o.id, o.class, o.result, o.title ?? '', o.refs)));
  if (bundle.os) celBundle.os = new CelOs(bundle.os.family, bundle.os.name, bundle.os.eol);
  if (bundle.config) celBundle.config = new CelConfig(bundle.config.user ?? '', bundle.config.labels);
  if (bundle.baseImage) celBundle.baseImage = new CelBaseImage(bundle.baseImage.name, bundle.baseImage.source);
  return { bundle: celBundle };
}

/** An own, enumerable property computed on first read, then kept as a plain value. */
function defineLazy(target: object, key: string, compute: () => unknown): void {
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
