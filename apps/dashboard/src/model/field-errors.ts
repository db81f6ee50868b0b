/** A problem with one field, named as the server names fields (`body.rules.0.clauses.1.values.2`). */
export interface FieldProblem {
  field: string;
  message: string;
}

/** The message for a field shown at `path`: a problem naming it, or (unless `exact`) anything inside it. */
export function problemAt(
  problems: readonly FieldProblem[],
  path: string,
  exact = false,
): string | undefined {
  return problems.find((p) => p.field === path || (!exact && p.field.startsWith(`${path}.`)))?.message;
}

/** The id of the element holding a field's message, for aria-describedby. */
export function errorIdOf(path: string): string {
  return `error-${path.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
}
