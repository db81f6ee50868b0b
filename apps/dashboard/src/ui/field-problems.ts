import { createContext, useContext } from 'react';
import { ApiError } from '../api/api-error.js';
import { errorIdOf, type FieldProblem, problemAt } from '../model/field-errors.js';

/** The problems of the form being edited: found before sending, or named by the server's 400. */
export const FieldProblemsContext = createContext<readonly FieldProblem[]>([]);

/** The message for the field at `path` (or, unless `exact`, inside it), if any. */
export function useProblem(path: string, exact = false): string | undefined {
  return problemAt(useContext(FieldProblemsContext), path, exact);
}

/** Props that tie an input to its message. */
export function useInvalidProps(path: string): { 'aria-invalid'?: true; 'aria-describedby'?: string } {
  return useProblem(path) === undefined ? {} : { 'aria-invalid': true, 'aria-describedby': errorIdOf(path) };
}

/** The field problem a failed write names (a 400 with a field), if it names one. */
export function problemsOf(error: unknown): FieldProblem[] {
  if (
    error instanceof ApiError &&
    error.status === 400 &&
    error.field !== undefined &&
    error.field !== 'body'
  ) {
    return [{ field: error.field, message: error.problem }];
  }
  return [];
}
