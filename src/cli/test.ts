import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { diffLines } from 'diff';
import { InputError } from '../errors.ts';
import { painter } from '../render/text-layout.ts';
import { EXIT_ALLOWED, EXIT_BLOCKED, type CliIo, type CommandContext } from './io.ts';
import { judge } from './judge.ts';
import { quietOption, readNow } from './options.ts';
import { wantsColor } from './output.ts';
import { compareVerdict, listOf, parsePolicyTestFile } from './test-file.ts';

export function testCommand(context: CommandContext): Command {
  return new Command('test')
    .summary('policy unit tests: judge reports and compare with the expected verdicts (exit 1 on a mismatch)')
    .description('Each FILE lists reports and the verdict expected per image and policy (see the README). Exit code: 0 when every test passes, 1 on a mismatch (with a diff), 2 for bad input.')
    .argument('<FILE...>', 'policy test files (YAML)')
    .addOption(quietOption())
    .action(async (files: string[], options: { quiet?: boolean }) => context.setExitCode(await runTests(files, context.io, options)));
}

/** Runs every test of every file; prints PASS or FAIL with a diff per test, then the counts. */
export async function runTests(files: readonly string[], io: CliIo, options: { quiet?: boolean } = {}): Promise<number> {
  const paint = painter(wantsColor(io.stdout, io.env ?? {}));
  const write = (text: string): void => {
    if (options.quiet !== true) io.stdout.write(text);
  };
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    const path = resolve(io.cwd, file);
    const testFile = parsePolicyTestFile(file, readTestFile(file, path));
    const base = dirname(path);
    write(`${file}\n`);
    for (const test of testFile.tests) {
      const orgPolicy = testFile['org-policy'];
      const verdict = await judge(
        {
          policies: listOf(test.policies ?? testFile.policies),
          reports: listOf(test.reports),
          now: readNow(test.now ?? testFile.now),
          cwd: base,
          vex: listOf(test.vex),
          ...(test.image === undefined ? {} : { image: test.image }),
          ...(test.branch === undefined ? {} : { branch: test.branch }),
          ...(test.env === undefined ? {} : { environment: test.env }),
          ...(orgPolicy === undefined ? {} : { orgPolicy }),
        },
        io,
      );
      const comparison = compareVerdict(test.expect, verdict);
      if (comparison.isMatch) {
        passed += 1;
        write(`  ${paint('PASS', 'green')}  ${test.name}\n`);
        continue;
      }
      failed += 1;
      write(`  ${paint('FAIL', 'red')}  ${test.name}\n        ${paint('- expected', 'red')}\n        ${paint('+ actual', 'green')}\n`);
      for (const part of diffLines(comparison.expected, comparison.actual)) {
        const sign = part.added ? '+' : part.removed ? '-' : ' ';
        for (const line of part.value.replace(/\n$/, '').split('\n')) {
          const text = `        ${sign} ${line}\n`;
          write(part.added ? paint(text, 'green') : part.removed ? paint(text, 'red') : text);
        }
      }
    }
  }
  write(`${passed + failed} tests, ${passed} passed, ${failed} failed\n`);
  return failed === 0 ? EXIT_ALLOWED : EXIT_BLOCKED;
}

function readTestFile(file: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    throw new InputError({ file, message: code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'unknown error'})` }, { cause: error });
  }
}
