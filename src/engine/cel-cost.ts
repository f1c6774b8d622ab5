import type { ASTNode } from '@marcbachmann/cel-js';
import { comprehensionStep, type Evaluate, type InternalNode, walkProgram } from './cel-ast.ts';

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
 * This leans on the library's AST: see cel-ast.ts.
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

/** Nodes whose value is a comprehension's accumulator: charging its size per iteration would charge a list of n n² steps. */
const ACCUMULATOR_OPS = new Set(['accuPush', 'accuValue', 'accuInc']);

/** Charges every node of a type-checked program to `meter`. Call once per parsed program, after its check. */
export function meterEvaluation(root: ASTNode, meter: CostMeter): void {
  const steps = new Set<InternalNode>();
  walkProgram(root, (node) => {
    const step = comprehensionStep(node);
    if (step !== undefined) steps.add(step);
  });
  walkProgram(root, (node) => charge(node, steps.has(node) || ACCUMULATOR_OPS.has(node.op), meter));
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
