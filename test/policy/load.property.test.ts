import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { parsePolicyFile } from '../../src/policy/load.ts';

/** Fragments that make arbitrary text look like a policy file, so the generator reaches deep paths. */
const FRAGMENTS = [
  'version: 1\n',
  'policies:\n',
  '  - name: p\n',
  '    rules:\n',
  '      severity: high\n',
  '      max_cvss: x\n',
  '      custom:\n',
  '        - { name: c, when: "bundle.(", message: m }\n',
  'exceptions:\n',
  '  - { id: a, reason: r, expires: 2027-02-30 }\n',
  '  - [\n',
  'extends: [org]\n',
  '  severity: high\n',
  '"\n',
  '&a x: *a\n',
  '\t\n',
];

describe('src/policy/load parsePolicyFile (properties)', () => {
  it('returns a policy file or throws an InputError with places inside the text, never anything else', () => {
    const text = fc.oneof(fc.string(), fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 12 }).map((parts) => parts.join('')));

    fc.assert(
      fc.property(text, (source) => {
        const lines = source.split('\n').length;
        try {
          parsePolicyFile({ file: 'p.yml', text: source, origin: 'cli' });
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          const problems = (error as InputError).problems;
          expect(problems.length).toBeGreaterThan(0);
          for (const problem of problems) {
            expect(problem.file).toBe('p.yml');
            expect(problem.message.length).toBeGreaterThan(0);
            expect(problem.line).toBeGreaterThanOrEqual(1);
            expect(problem.line).toBeLessThanOrEqual(lines);
            expect(problem.col).toBeGreaterThanOrEqual(1);
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});
