import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../../src/engine/rules/index.ts';
import { RULE_KEYS, type RuleKey, type Violation } from '../../../src/model/verdict.ts';

/**
 * "Adding a rule touches one file": a rule's module (src/engine/rules/) carries everything the app
 * knows about it, and the rest of the code reads it from `RULES[key]`. Besides the rule's file and
 * its registry line, only the places where the policy file's shape and the verdict's list of keys
 * live may name a rule key: the policy schema and its readers (src/policy/), and RULE_KEYS.
 */
const ROOT = join(import.meta.dirname, '../../..');
const ALLOWED = [/^src\/engine\/rules\//, /^src\/policy\//, /^src\/model\/verdict\.ts$/];

const KEY = RULE_KEYS.map((key) => key.replace('.', '\\.')).join('|');
/** Rule keys no other word in the code is spelled like: a quoted one is knowledge of that rule. */
const DISTINCT_KEYS = RULE_KEYS.filter((key) => /[._]/.test(key) || key === 'misconfigurations').map((key) => key.replace('.', '\\.')).join('|');
const RULE_KNOWLEDGE: [RegExp, string][] = [
  [new RegExp(`\\b(rule|key)\\s*[!=]==\\s*'(${KEY})'|'(${KEY})'\\s*[!=]==\\s*[\\w.]*\\b(rule|key)\\b`), 'compares a rule key'],
  [new RegExp(`case '(${KEY})':`), 'switches on a rule key'],
  [/switch\s*\([^)]*\.rule\s*\)/, 'switches on a violation\'s rule'],
  [/(Record|Set)<RuleKey\b/, 'keeps a table per rule key'],
  [new RegExp(`'(${DISTINCT_KEYS})'`), 'names a rule key'],
];

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listTs(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** GitHub's anchor for a heading: lowercase, punctuation other than `-` and `_` dropped, spaces as `-`. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const README_ANCHORS = new Set([...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1]!)));

const SAMPLE: Violation = { rule: 'severity', id: 'ID-1', package: 'pkg', version: '1.0', message: 'the message', location: { path: '/app/file' } };

describe('rule traits: each rule carries them', () => {
  it('RULES has one module per rule key, in RULE_KEYS order, each under its own key', () => {
    expect(Object.keys(RULES)).toEqual([...RULE_KEYS]);
    for (const key of RULE_KEYS) expect(RULES[key].key).toBe(key);
  });

  it.each(RULE_KEYS.map((key) => [key] as [RuleKey]))('%s has every trait', (key) => {
    const rule = RULES[key];

    expect(typeof rule.isVulnerability).toBe('boolean');
    expect(typeof rule.suggestsException).toBe('boolean');
    expect(['shared', 'own']).toContain(rule.findingId);
    expect(['image', 'dockerfile-from', 'dockerfile-user']).toContain(rule.place);
    expect(rule.help).toMatch(/^[A-Z].{20,}\.$/);
    expect(README_ANCHORS.has(rule.docsAnchor), `README has no heading #${rule.docsAnchor}`).toBe(true);
    const fix = rule.fix({ ...SAMPLE, rule: key });
    expect(fix.trim().length).toBeGreaterThan(5);
  });

  it('the vulnerability rules are the ones that sort their own hits', () => {
    for (const key of RULE_KEYS) expect(RULES[key].isVulnerability).toBe(RULES[key].isSortedAndUnique === true);
  });

  it('only the Dockerfile rules are placed in the Dockerfile', () => {
    const placed = RULE_KEYS.filter((key) => RULES[key].place !== 'image').map((key) => [key, RULES[key].place]);
    expect(placed).toEqual([
      ['root_user', 'dockerfile-user'],
      ['base_images', 'dockerfile-from'],
    ]);
  });
});

describe('rule traits: nobody else branches on a rule key', () => {
  const files = listTs(join(ROOT, 'src'))
    .map((path) => relative(ROOT, path))
    .filter((path) => !ALLOWED.some((allowed) => allowed.test(path)));

  it('has files to check, and the patterns catch the knowledge they are meant to', () => {
    expect(files.length).toBeGreaterThan(100);
    const knowledge = [
      "if (violation.rule === 'root_user') return dockerfile.userLine;",
      "  if (key === 'packages.deny') return rules.packages?.deny;",
      "switch (violation.rule) {\n    case 'severity':",
      'const RULE_HELP: Readonly<Record<RuleKey, string>> = {',
      "const EXCEPTABLE_RULES = new Set<RuleKey>(['severity', 'cves']);",
      "const heading = rule === 'packages.deny' ? 'a' : rule;",
      "  malware: 'A malware scanner flagged a file', 'base_images': 'x',",
    ];
    for (const line of knowledge) expect(RULE_KNOWLEDGE.some(([pattern]) => pattern.test(line)), line).toBe(true);
    // Words that merely read like rule keys are not knowledge of a rule.
    for (const line of ["vuln['severity']", "defineLazy(celBundle, 'secrets', () => bundle.secrets)", "code: 'custom'"]) {
      expect(RULE_KNOWLEDGE.filter(([pattern]) => pattern.test(line)), line).toEqual([]);
    }
  });

  it.each(files)('%s reads rule traits instead of naming rule keys', (file) => {
    const source = readFileSync(join(ROOT, file), 'utf8');
    const found = RULE_KNOWLEDGE.filter(([pattern]) => pattern.test(source)).map(([, what]) => what);
    expect({ file, found }).toEqual({ file, found: [] });
  });
});
