/**
 * The two Dockerfile facts the GitHub flow uses (SPEC §2): the final stage's base image (its
 * `FROM`, followed through stage names) and the last `USER` that applies to it, each with its line
 * for annotations. Pure: text in, facts out.
 */

export interface DockerfileFacts {
  path: string;
  /** The final stage's base image; `name` is undefined when it uses a build argument we cannot resolve. */
  from?: { name?: string; line: number };
  /** The last `USER` in the final stage (or the stage it is built on). */
  user?: { name: string; line: number };
}

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  base: string;
  alias?: string;
  fromLine: number;
  user?: { name: string; line: number };
}

export function readDockerfile(path: string, text: string): DockerfileFacts {
  const stages: Stage[] = [];
  for (const instruction of instructionsOf(text)) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const asIndex = words.findIndex((word) => word.toUpperCase() === 'AS');
      stages.push({ base: words[0] ?? '', alias: asIndex > 0 ? words[asIndex + 1]?.toLowerCase() : undefined, fromLine: instruction.line });
    } else if (instruction.keyword === 'USER' && stages.length > 0) {
      stages[stages.length - 1]!.user = { name: instruction.args.trim(), line: instruction.line };
    }
  }
  const last = stages.at(-1);
  if (!last) return { path };

  // Follow `FROM builder` through earlier stages to the image it really starts from.
  let stage = last;
  let user = last.user;
  const seen = new Set<Stage>();
  for (;;) {
    seen.add(stage);
    const parent = stages.find((candidate) => candidate.alias === stage.base.toLowerCase() && !seen.has(candidate));
    if (!parent) break;
    stage = parent;
    user ??= parent.user;
  }
  const name = stage.base.includes('$') || stage.base === '' ? undefined : stage.base;
  return { path, from: { line: last.fromLine, ...(name === undefined ? {} : { name }) }, ...(user ? { user } : {}) };
}

/** Instructions with their first line, continuation lines joined, comments and blank lines dropped. */
function instructionsOf(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  let pending: { text: string; line: number } | undefined;
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (!pending && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (pending && trimmed.startsWith('#')) return;
    const continues = trimmed.endsWith('\\');
    const part = continues ? trimmed.slice(0, -1) : trimmed;
    pending = pending ? { text: `${pending.text} ${part}`, line: pending.line } : { text: part, line: index + 1 };
    if (continues) return;
    const match = /^(\S+)\s*(.*)$/.exec(pending.text);
    if (match) instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: pending.line });
    pending = undefined;
  });
  return instructions;
}
