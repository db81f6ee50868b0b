import { patternProblem } from '@switchboard/core';
import { isSafePattern } from 'redos-detector';

/**
 * How many ways one input may be matched before a pattern counts as backtracking too much. The
 * detector's own default; ordinary anchored patterns score 1 or 2.
 */
export const MAX_BACKTRACK_SCORE = 200;
/** A deterministic bound on the analysis, so that checking a pattern costs the same on any machine. */
export const MAX_ANALYSIS_STEPS = 20_000;
/**
 * A wall-clock bound on top of the step bound, for a machine so loaded that the steps crawl: analysis
 * stopped by it proves nothing, so the pattern is refused (saying so); saving again may pass.
 */
export const MAX_ANALYSIS_MS = 5_000;
/** Outcomes kept, so that saving a rule again does not analyse its unchanged patterns again. */
const MAX_REMEMBERED_PATTERNS = 1_000;
// Per process and bounded: the analysis is a pure function of the pattern (the step bound makes it
// deterministic), so sharing outcomes across requests is safe.
const remembered = new Map<string, string | undefined>();

// The evaluator searches (RegExp#test), so the unanchored pattern is tried at every offset: that
// outer loop is linear in the input (bounded by core's MAX_MATCH_INPUT_LENGTH). What must be ruled
// out is a match attempt from one offset that is itself super-linear, so the pattern is analysed as
// anchored at its start; otherwise every `a.*b` would count as quadratic for the search loop alone.
const ANCHOR = '^(?:';

/**
 * Why a `matches` pattern is refused at write time, or undefined when it may be stored. First core's
 * own bound ({@link patternProblem}: syntax, length, backreferences, nested quantifiers), which the
 * evaluator applies again as the second line of defence; then redos-detector, which refuses patterns
 * whose match attempts can backtrack catastrophically or polynomially, such as `\d*\d*\d*$` or
 * `^(\w+\s?)*$`, saying which two parts of the pattern can match the same text.
 */
export function unsafePatternProblem(pattern: string): string | undefined {
  const shape = patternProblem(pattern);
  if (shape !== undefined) return shape;
  if (remembered.has(pattern)) return remembered.get(pattern);
  const { problem, deterministic } = analyse(pattern);
  if (deterministic) {
    if (remembered.size >= MAX_REMEMBERED_PATTERNS)
      remembered.delete(remembered.keys().next().value as string);
    remembered.set(pattern, problem);
  }
  return problem;
}

function analyse(pattern: string): { problem: string | undefined; deterministic: boolean } {
  let result: ReturnType<typeof isSafePattern>;
  try {
    result = isSafePattern(`${ANCHOR}${pattern})`, {
      maxScore: MAX_BACKTRACK_SCORE,
      maxSteps: MAX_ANALYSIS_STEPS,
      timeout: MAX_ANALYSIS_MS,
    });
  } catch {
    // The detector throws on syntax it cannot model; what cannot be checked is not stored.
    return {
      problem: 'uses syntax that cannot be checked for excessive backtracking (ReDoS)',
      deterministic: true,
    };
  }
  if (result.safe) return { problem: undefined, deterministic: true };
  if (result.error === 'hitMaxSteps' || result.error === 'timedOut') {
    return {
      problem: 'too complex to prove free of excessive backtracking (ReDoS); simplify it',
      deterministic: result.error === 'hitMaxSteps',
    };
  }
  const step = result.trails[0]?.trail[0];
  const where =
    step === undefined
      ? ''
      : `: ${describeNode(step.a.node)} and ${describeNode(step.b.node)} can match the same text`;
  return {
    problem: `can backtrack catastrophically or polynomially on some inputs (ReDoS)${where}`,
    deterministic: true,
  };
}

function describeNode(node: { source: string; start: { offset: number } }): string {
  return `\`${node.source}\` at ${Math.max(0, node.start.offset - ANCHOR.length)}`;
}
