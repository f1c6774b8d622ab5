import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Node } from 'yaml';
import type { Problem } from '../errors.ts';

/**
 * A YAML document with source positions: the value as plain data plus a way back from a data path
 * (`['policies', 0, 'rules', 'severity']`) to a line and column, so that every problem found later
 * in the data (zod, duplicate names, CEL) can say where it is.
 */
export interface YamlWithPositions {
  file: string;
  /** The document as plain data; `undefined` when the YAML has errors (see `problems`). */
  data: unknown;
  /** YAML syntax errors, duplicate keys and warnings; empty when the document is sound. */
  problems: Problem[];
  /** Where the value at `path` starts; the nearest enclosing node when the path is not in the document. */
  positionOf(path: readonly PropertyKey[]): Position;
  /** Where the key `key` of the mapping at `path` starts (for unknown keys). */
  positionOfKey(path: readonly PropertyKey[], key: string): Position;
  /** Where character `offset` of the string scalar at `path` is (for CEL errors); its start when unknown. */
  positionInString(path: readonly PropertyKey[], offset: number): Position;
}

export interface Position {
  line: number;
  col: number;
}

const START: Position = { line: 1, col: 1 };
/** Aliases expand copies of a node; a handful is normal in a policy, thousands are an attack. */
const MAX_ALIAS_COUNT = 100;

/** Parses one YAML document, keeping positions. Pure: never throws for bad YAML, returns problems. */
export function readYaml(file: string, text: string): YamlWithPositions {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });

  function at(offset: number): Position {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  }

  const problems: Problem[] = [...doc.errors, ...doc.warnings].map((error) => ({
    file,
    ...at(error.pos[0]),
    message: describeYamlError(error.code, error.message, keyAt(text, error.pos[0])),
  }));

  function positionOf(path: readonly PropertyKey[]): Position {
    const { node } = walk(doc, path);
    return node?.range ? at(node.range[0]) : START;
  }

  function positionOfKey(path: readonly PropertyKey[], key: string): Position {
    const { node, isExact } = walk(doc, path);
    if (isExact && isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
      if (pair && isScalar(pair.key) && pair.key.range) return at(pair.key.range[0]);
    }
    return node?.range ? at(node.range[0]) : START;
  }

  function positionInString(path: readonly PropertyKey[], offset: number): Position {
    const { node, isExact } = walk(doc, path);
    if (!node?.range) return START;
    if (!isExact || !isScalar(node) || typeof node.value !== 'string') return at(node.range[0]);
    const found = locateInSource(text.slice(node.range[0], node.range[1]), node.value, offset, node.type);
    return at(node.range[0] + (found ?? 0));
  }

  if (problems.length === 0) {
    visit(doc, {
      Alias(_key, alias) {
        if (alias.resolve(doc) === undefined) {
          problems.push({ file, ...(alias.range ? at(alias.range[0]) : START), message: `invalid YAML: the alias *${alias.source} names no anchor defined before it` });
        }
      },
    });
  }
  const data = problems.length === 0 ? toData(doc, file, problems) : undefined;
  return { file, data, problems, positionOf, positionOfKey, positionInString };
}

/** The plain data; an alias bomb (or anything else the conversion refuses) becomes a problem, not a throw. */
function toData(doc: Document, file: string, problems: Problem[]): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    problems.push({ file, ...START, message: `invalid YAML: ${error instanceof Error ? error.message : String(error)}` });
    return undefined;
  }
}

function walk(doc: Document, path: readonly PropertyKey[]): { node: Node | undefined; isExact: boolean } {
  let node = resolveAlias(doc, doc.contents ?? undefined);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) return { node, isExact: false };
      const value = resolveAlias(doc, (pair.value ?? undefined) as Node | undefined);
      // `key:` with nothing after it: point at the key.
      node = value?.range ? value : (pair.key as Node);
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = resolveAlias(doc, node.items[segment] as Node | undefined);
      if (!item) return { node, isExact: false };
      node = item;
    } else {
      return { node, isExact: false };
    }
  }
  return { node, isExact: true };
}

function resolveAlias(doc: Document, node: Node | undefined): Node | undefined {
  if (node && isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? node;
  return node;
}

/**
 * Maps an offset in a scalar's value to an offset in its source text. Exact for plain and quoted
 * scalars without escapes and for block scalars; `undefined` when the value cannot be found.
 */
function locateInSource(source: string, value: string, offset: number, type: string | undefined): number | undefined {
  const lines = value.split('\n');
  let remaining = offset;
  let lineIndex = 0;
  while (lineIndex < lines.length - 1 && remaining > lines[lineIndex]!.length) {
    remaining -= lines[lineIndex]!.length + 1;
    lineIndex += 1;
  }
  // Skip a block scalar's header (`|`, `>-`) and a quote, then find each line of the value in turn.
  let cursor = type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED' ? source.indexOf('\n') + 1 : 0;
  if (type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') cursor = 1;
  for (let i = 0; i <= lineIndex; i++) {
    const line = lines[i]!;
    const found = source.indexOf(line, cursor);
    if (found < 0) return undefined;
    if (i === lineIndex) return found + Math.min(remaining, line.length);
    cursor = found + line.length;
  }
  return undefined;
}

/** The key that starts at `offset`, as written: `severity` in `severity: low`. */
function keyAt(text: string, offset: number): string {
  const rest = text.slice(offset);
  const quoted = /^("[^"\n]*"|'[^'\n]*')/.exec(rest);
  if (quoted) return quoted[1]!.slice(1, -1);
  return (/^[^:\n]*/.exec(rest)?.[0] ?? '').trim();
}

function describeYamlError(code: string, message: string, source: string): string {
  if (code === 'DUPLICATE_KEY') return `duplicate key '${source.trim()}': it is already set in the same mapping`;
  if (code === 'MULTIPLE_DOCS') return 'a policy file holds one YAML document; remove the extra `---` document';
  return `invalid YAML: ${message}`;
}
