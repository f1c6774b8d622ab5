import type { ASTNode } from '@marcbachmann/cel-js';

/**
 * A deterministic cost limit for one CEL evaluation, enforced while it runs.
 *
 * @marcbachmann/cel-js 8.0.0 (pinned exactly) has parse-time limits only: no iteration or cost
 * limit, and an evaluation cannot be interrupted. So after the type check we replace every node's
 * `evaluate` with one that first refuses to go on once the meter is over its limit, then runs the
 * node as the library would and charges it: one step per node evaluated, plus the size of what it
 * yields (a list's length, a string's length / 16). Comprehension steps are nodes, so every
 * iteration of `all`, `exists`, `exists_one`, `map` and `filter` costs at least one step; a list
 * that an operator walks (`x in list`, `list == list`, `list + list`) was charged its length when
 * its operand was evaluated. The count depends on the expression and the data only: the same
 * bundle always costs the same.
 *
 * This leans on the library's AST (test/engine/cel-cost.test.ts pins what it relies on): a node's
 * `meta` holds the `alternate` node a macro expanded to (`exists` → a comprehension), or the
 * `macro` object (`has`, `cel.bind`: `args`, `val`, `exp`), or the `evaluate` function; a
 * node's own `evaluate` property is what the evaluator calls (the library installs one itself on
 * first use).
 */

export interface CostMeter {
  steps: number;
  readonly limit: number;
  /** Thrown from a node once `steps` is over `limit`; an Error, because CEL's `exists`/`all` absorb only Errors. */
  readonly exceeded: Error;
}

export function createCostMeter(limit: number): CostMeter {
  return { steps: 0, limit, exceeded: new Error(`over the evaluation budget of ${limit} steps`) };
}

type Evaluate = (evaluator: unknown, node: unknown, context: unknown) => unknown;

/** The parts of cel-js's ASTNode (parser.js) that are not in its type declarations. */
interface InternalNode {
  op: string;
  args: unknown;
  meta: { alternate?: InternalNode; macro?: Record<string, unknown> & { evaluate: Evaluate }; evaluate: Evaluate };
  evaluate: Evaluate;
}

/** Nodes whose value is a comprehension's accumulator: charging its size per iteration would charge a list of n n² steps. */
const ACCUMULATOR_OPS = new Set(['accuPush', 'accuValue', 'accuInc']);

/** Charges every node of a type-checked program to `meter`. Call once per parsed program, after its check. */
export function meterEvaluation(root: ASTNode, meter: CostMeter): void {
  const seen = new Set<InternalNode>();
  const flat = new Set<InternalNode>();
  function visit(value: unknown): void {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!isNode(value) || seen.has(value)) return;
    seen.add(value);
    const { meta } = value;
    if (meta.alternate !== undefined) visit(meta.alternate);
    if (meta.macro !== undefined) for (const key of ['args', 'val', 'exp']) visit(meta.macro[key]);
    if (value.op === 'comprehension') {
      const args = value.args as { iterable: InternalNode; init: InternalNode; step: InternalNode };
      flat.add(args.step);
      visit([args.iterable, args.init, args.step]);
    } else {
      visit(value.args);
    }
    charge(value, flat.has(value) || ACCUMULATOR_OPS.has(value.op), meter);
  }
  visit(root);
}

function charge(node: InternalNode, isFlat: boolean, meter: CostMeter): void {
  const { meta } = node;
  const alternate = meta.alternate;
  const macro = meta.macro;
  const inner: Evaluate =
    alternate !== undefined
      ? (evaluator, _node, context) => alternate.evaluate(evaluator, alternate, context)
      : macro !== undefined
        ? (evaluator, _node, context) => macro.evaluate(evaluator, macro, context)
        : meta.evaluate;
  node.evaluate = isFlat
    ? function chargedStep(evaluator, self, context) {
        if (meter.steps > meter.limit) throw meter.exceeded;
        const value = inner(evaluator, self, context);
        meter.steps += 1;
        return value;
      }
    : function charged(evaluator, self, context) {
        if (meter.steps > meter.limit) throw meter.exceeded;
        const value = inner(evaluator, self, context);
        meter.steps += 1 + sizeOf(value);
        return value;
      };
}

function sizeOf(value: unknown): number {
  if (typeof value === 'string') return value.length >>> 4;
  if (Array.isArray(value)) return value.length;
  if (value instanceof Map || value instanceof Set) return value.size;
  return 0;
}

function isNode(value: unknown): value is InternalNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'meta' in value && typeof (value as { evaluate?: unknown }).evaluate === 'function';
}
