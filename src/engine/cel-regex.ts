import type { ASTNode } from '@marcbachmann/cel-js';
import { RE2JS } from 're2js';
import { type InternalNode, walkProgram } from './cel-ast.ts';

/**
 * CEL's `matches` on RE2 (re2js: linear time in the input, and RE2 is the syntax the CEL spec
 * gives `matches`). cel-js 8.0.0 runs it on JavaScript's backtracking RegExp, where one pattern
 * such as `(a|a)*$` takes exponential time: a custom rule could hang the worker with it, and no
 * step budget stops a single native call. Patterns written in the expression are compiled when
 * the policy is loaded (a syntax RE2 does not have, such as a backreference, is an error there);
 * others are compiled once each at evaluation.
 */

export interface RegexProblem {
  message: string;
  offset: number;
}

/** The first pattern literal of a `matches` call that RE2 cannot compile. */
export function findInvalidPattern(root: ASTNode): RegexProblem | undefined {
  let problem: RegexProblem | undefined;
  walkProgram(root, (node) => {
    const call = matchesCall(node);
    if (problem !== undefined || call === undefined || call.pattern.op !== 'value' || typeof call.pattern.args !== 'string') return;
    const message = compileError(call.pattern.args);
    if (message !== undefined) problem = { message: `invalid regular expression for matches(): ${message}`, offset: call.pattern.start };
  });
  return problem;
}

/** Makes every `matches` call of a checked program run on RE2. Call before meterEvaluation. */
export function useLinearRegex(root: ASTNode): void {
  const compiled = new Map<string, RE2JS>();
  function compile(pattern: string): RE2JS {
    let regex = compiled.get(pattern);
    if (regex === undefined) {
      const message = compileError(pattern);
      if (message !== undefined) throw new Error(`invalid regular expression for matches(): ${message}`);
      regex = RE2JS.compile(pattern);
      compiled.set(pattern, regex);
    }
    return regex;
  }
  walkProgram(root, (node) => {
    const call = matchesCall(node);
    if (call === undefined) return;
    node.setMeta('evaluate', (evaluator, _self, context) => {
      const input = evaluator.run(call.input, context);
      const pattern = evaluator.run(call.pattern, context);
      if (typeof input !== 'string' || typeof pattern !== 'string') throw new Error('matches() takes a string and a pattern string');
      return compile(pattern).test(input);
    });
  });
}

/** `s.matches(p)` (cel-js has no global `matches(s, p)`): its input and pattern nodes. */
function matchesCall(node: InternalNode): { input: InternalNode; pattern: InternalNode } | undefined {
  if (node.op !== 'rcall') return undefined;
  const [name, receiver, args] = node.args as [string, InternalNode, InternalNode[]];
  return name === 'matches' && args.length === 1 ? { input: receiver, pattern: args[0]! } : undefined;
}

function compileError(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    if (error instanceof Error) return error.message;
    throw error;
  }
}
