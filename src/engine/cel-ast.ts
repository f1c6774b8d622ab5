import type { ASTNode } from '@marcbachmann/cel-js';

/**
 * What cel-cost.ts and cel-regex.ts rely on in @marcbachmann/cel-js 8.0.0's AST (parser.js),
 * beyond its type declarations; test/engine/cel-cost.test.ts and cel.test.ts fail if it changes.
 * A node's `meta` holds the `alternate` node a macro expanded to (`exists` → a comprehension whose
 * `args` are `iterable`, `init` and `step`), or the `macro` object (`has`, `cel.bind`: `args`,
 * `val`, `exp`), and the `evaluate` function the node runs (`setMeta` replaces it); a node's own
 * `evaluate` property is what the evaluator calls.
 */

export type Evaluate = (evaluator: CelEvaluator, node: unknown, context: unknown) => unknown;

export interface CelEvaluator {
  run(node: InternalNode, context: unknown): unknown;
}

export interface InternalNode {
  op: string;
  args: unknown;
  start: number;
  meta: { alternate?: InternalNode; macro?: Record<string, unknown> & { evaluate: Evaluate }; evaluate: Evaluate };
  evaluate: Evaluate;
  setMeta(key: 'evaluate', value: Evaluate): InternalNode;
}

/** Calls `visit` on every node of a checked program once, children before their parent. */
export function walkProgram(root: ASTNode, visit: (node: InternalNode) => void): void {
  const seen = new Set<InternalNode>();
  function walk(value: unknown): void {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (!isNode(value) || seen.has(value)) return;
    seen.add(value);
    const { meta } = value;
    if (meta.alternate !== undefined) walk(meta.alternate);
    if (meta.macro !== undefined) for (const key of ['args', 'val', 'exp']) walk(meta.macro[key]);
    if (value.op === 'comprehension') {
      const args = value.args as { iterable: InternalNode; init: InternalNode; step: InternalNode };
      walk([args.iterable, args.init, args.step]);
    } else {
      walk(value.args);
    }
    visit(value);
  }
  walk(root);
}

/** The `step` node of a comprehension node, else undefined. */
export function comprehensionStep(node: InternalNode): InternalNode | undefined {
  return node.op === 'comprehension' ? (node.args as { step: InternalNode }).step : undefined;
}

function isNode(value: unknown): value is InternalNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'meta' in value && typeof (value as { evaluate?: unknown }).evaluate === 'function';
}
