import type { Check, CheckStatus, Report } from '../../model/report.ts';
import type { FindingSeverity } from '../../model/severity.ts';
import { emptyFindings, fieldError, isObject, optionalStringArray, requireArray, type JsonObject } from '../fields.ts';

/** Dockle levels (SPEC §2): FATAL = high, WARN = medium, INFO = low fail; PASS, SKIP, IGNORE do not. */
const LEVELS: Readonly<Record<string, { status: CheckStatus; severity: FindingSeverity }>> = {
  FATAL: { status: 'fail', severity: 'high' },
  WARN: { status: 'fail', severity: 'medium' },
  INFO: { status: 'fail', severity: 'low' },
  PASS: { status: 'pass', severity: 'unknown' },
  SKIP: { status: 'skip', severity: 'unknown' },
  IGNORE: { status: 'skip', severity: 'unknown' },
};

/** Dockle JSON (`dockle -f json`): `details[] {code, title, level, alerts}`. Dockle names no image. */
export function readDockleJson(file: string, doc: JsonObject): Report {
  const details = requireArray(file, doc['details'], 'details');
  const checks: Check[] = [];
  for (let d = 0; d < details.length; d += 1) {
    const item = details[d];
    if (!isObject(item)) throw fieldError(file, `details[${d}]`, 'an object', item);
    const code = item['code'];
    if (typeof code !== 'string' || code === '') throw fieldError(file, `details[${d}].code`, 'a string', code);
    const level = item['level'];
    const mapped = typeof level === 'string' ? LEVELS[level.toUpperCase()] : undefined;
    if (mapped === undefined) throw fieldError(file, `details[${d}].level`, `one of ${Object.keys(LEVELS).join(', ')}`, level);
    const title = item['title'];
    const alerts = optionalStringArray(file, item['alerts'], `details[${d}].alerts`);
    const check: Check = {
      id: code,
      altIds: [],
      title: typeof title === 'string' ? title : code,
      severity: mapped.severity,
      status: mapped.status,
      tool: 'dockle',
    };
    if (alerts.length > 0) check.message = alerts.join('\n');
    checks.push(check);
  }
  return { path: file, format: 'dockle-json', tool: 'dockle', ...emptyFindings(), checks };
}
