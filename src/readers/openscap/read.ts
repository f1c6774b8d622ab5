import { readSeverity } from '../../model/severity.ts';
import type { Check, CheckStatus, OvalClass, OvalResult, Report } from '../../model/report.ts';
import { emptyFindings, fieldError } from '../fields.ts';
import { attr, child, children, descendants, textOf, type XmlNode } from '../xml.ts';

const OVAL_CLASSES: readonly OvalClass[] = ['compliance', 'inventory', 'miscellaneous', 'patch', 'vulnerability'];
const RULE_STATUS: Readonly<Record<string, CheckStatus>> = { fail: 'fail', error: 'fail', pass: 'pass' };

/**
 * OpenSCAP results: an ARF (`oscap xccdf eval --results-arf`) or a bare OVAL results document
 * (`oscap oval eval --results`). Each `oval_results` joins its definitions (class, title,
 * references) with `results/system/definitions/definition[@definition_id, @result]`; XCCDF
 * `rule-result`s become checks.
 */
/** `document` is the whole parsed document, so that a bare `oval_results` root is found too. */
export function readOpenScapXml(file: string, root: XmlNode): Report {
  const report: Report = { path: file, format: 'oval-xml', tool: 'openscap', ...emptyFindings() };
  const ovalResults = descendants(root, 'oval_results');
  for (const [d, results] of ovalResults.entries()) readOvalResults(file, results, d, report.oval);
  const testResults = descendants(root, 'TestResult');
  if (testResults.length > 0) {
    const rules = new Map<string, unknown>();
    for (const rule of descendants(root, 'Rule')) {
      const id = attr(rule, 'id');
      if (id !== undefined) rules.set(id, rule);
    }
    for (const testResult of testResults) readTestResult(file, testResult, rules, report.checks);
  }
  if (ovalResults.length === 0 && testResults.length === 0) {
    throw fieldError(file, 'the document', 'OVAL results (oval_results) or XCCDF results (TestResult): this looks like content, not scan results');
  }
  return report;
}

function readOvalResults(file: string, results: XmlNode, d: number, out: OvalResult[]): void {
  const definitions = new Map<string, unknown>();
  for (const definition of children(child(child(results, 'oval_definitions'), 'definitions'), 'definition')) {
    const id = attr(definition, 'id');
    if (id !== undefined) definitions.set(id, definition);
  }
  for (const [s, system] of children(child(results, 'results'), 'system').entries()) {
    for (const [i, result] of children(child(system, 'definitions'), 'definition').entries()) {
      const at = `oval_results[${d + 1}]/results/system[${s + 1}]/definitions/definition[${i + 1}]`;
      const id = attr(result, 'definition_id');
      if (id === undefined || id === '') throw fieldError(file, `${at}/@definition_id`, 'a definition ID');
      const outcome = attr(result, 'result');
      if (outcome === undefined || outcome === '') throw fieldError(file, `${at}/@result`, 'a result (true, false, unknown, error, …)');
      const definition = definitions.get(id);
      if (definition === undefined) throw fieldError(file, `${at}/@definition_id`, `a definition present in the document's oval_definitions`, id);
      const ovalClass = attr(definition, 'class');
      if (ovalClass === undefined || !(OVAL_CLASSES as readonly string[]).includes(ovalClass)) {
        throw fieldError(file, `definition ${id} @class`, OVAL_CLASSES.join(', '), ovalClass);
      }
      const metadata = child(definition, 'metadata');
      const refs: string[] = [];
      for (const reference of children(metadata, 'reference')) {
        const ref = attr(reference, 'ref_id');
        if (ref !== undefined && !refs.includes(ref)) refs.push(ref);
      }
      const oval: OvalResult = { id, class: ovalClass as OvalClass, result: outcome, refs };
      const title = textOf(child(metadata, 'title'));
      if (title !== undefined) oval.title = title;
      out.push(oval);
    }
  }
}

function readTestResult(file: string, testResult: unknown, rules: Map<string, unknown>, out: Check[]): void {
  const target = textOf(child(testResult, 'target'));
  for (const [i, ruleResult] of children(testResult, 'rule-result').entries()) {
    const idref = attr(ruleResult, 'idref');
    if (idref === undefined || idref === '') throw fieldError(file, `TestResult/rule-result[${i + 1}]/@idref`, 'a rule ID');
    const result = textOf(child(ruleResult, 'result'));
    if (result === undefined || result === '') throw fieldError(file, `TestResult/rule-result[${i + 1}]/result`, 'a result (pass, fail, error, …)');
    const rule = rules.get(idref);
    const check: Check = {
      id: idref,
      altIds: [],
      title: textOf(child(rule, 'title')) ?? idref,
      severity: readSeverity(attr(ruleResult, 'severity') ?? attr(rule, 'severity')),
      status: RULE_STATUS[result] ?? 'skip',
      tool: 'openscap',
      message: `result: ${result}`,
    };
    if (target !== undefined) check.target = target;
    out.push(check);
  }
}
