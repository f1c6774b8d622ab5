import { InputError } from '../errors.ts';

/**
 * A small argument parser for SPEC §3's shape: `--policy FILE...` takes every following word up
 * to the next flag, so both `--policy a.yml b.yml` and `--policy a.yml --policy b.yml` work.
 * node:util parseArgs cannot do the former.
 */
export interface FlagSpec {
  /** Takes several values (`--report a b c`). */
  isList?: boolean;
  /** Takes no value. */
  isBoolean?: boolean;
}

export interface ParsedArgs {
  values: Record<string, string[]>;
  booleans: Set<string>;
  positionals: string[];
}

export function parseArgs(argv: readonly string[], flags: Readonly<Record<string, FlagSpec>>): ParsedArgs {
  const values: Record<string, string[]> = {};
  const booleans = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const spec = flags[name];
    if (!spec) throw usage(`unknown option --${name} (expected one of: ${Object.keys(flags).map((f) => `--${f}`).join(', ')})`);
    if (spec.isBoolean) {
      if (eq >= 0) throw usage(`--${name} takes no value`);
      booleans.add(name);
      continue;
    }
    const list = (values[name] ??= []);
    if (eq >= 0) {
      list.push(arg.slice(eq + 1));
    } else {
      let taken = 0;
      while (i + 1 < argv.length && !argv[i + 1]!.startsWith('--') && (spec.isList || taken === 0)) {
        list.push(argv[++i]!);
        taken++;
      }
      if (taken === 0) throw usage(`--${name} needs a value`);
    }
    if (!spec.isList && list.length > 1) throw usage(`--${name} is given more than once`);
  }
  return { values, booleans, positionals };
}

export function usage(message: string): InputError {
  return new InputError({ file: 'command line', message });
}
