/** Patterns longer than this are not used by `matches`. */
export const MAX_PATTERN_LENGTH = 512;
/** Attribute values longer than this are not compared by `matches`, bounding each regex run. */
export const MAX_MATCH_INPUT_LENGTH = 4096;

/**
 * Why a `matches` pattern cannot be used, or undefined when it can. A usable pattern compiles as an
 * ECMAScript regex, is at most {@link MAX_PATTERN_LENGTH} long, and cannot backtrack catastrophically
 * on the shapes we know of: no backreferences, and no group repeated by a quantifier
 * (`*`, `+`, `{…}`) when it contains a quantifier or an alternation, as in `(a+)+` or `(a|aa)*`.
 * The server checks the same at write time, so a stored rule never carries an unusable pattern.
 */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(pattern);
  } catch (error) {
    return `invalid: ${(error as Error).message}`;
  }
  // Each open group records whether it holds a quantifier or an alternation.
  const groups: boolean[] = [];
  let risky = false;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || next === 'k')) return 'backreferences are not allowed';
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
    } else if (c === '(') {
      groups.push(risky);
      risky = false;
      if (pattern[i + 1] === '?') i++;
    } else if (c === ')') {
      const inner: boolean = risky;
      risky = groups.pop() ?? false;
      const next = pattern[i + 1];
      const repeated = next === '*' || next === '+' || next === '{';
      if (repeated && inner) return 'a repeated group contains a quantifier or an alternation';
      risky = risky || inner || repeated || next === '?';
    } else if (c === '|') {
      risky = true;
    } else if (c === '*' || c === '+' || c === '{' || (c === '?' && pattern[i - 1] !== '(')) {
      risky = true;
    }
  }
  return undefined;
}
