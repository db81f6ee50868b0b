import { errorIdOf } from '../model/field-errors.js';
import { useProblem } from './field-problems.js';

/**
 * The message for one field, shown under it (nothing when the field is fine). A list shows only what
 * names the list itself (`exact`): its items show their own.
 */
export function FieldError({ path, exact = false }: { path: string; exact?: boolean }) {
  const message = useProblem(path, exact);
  if (message === undefined) return null;
  return (
    <p className="field-error" id={errorIdOf(path)} data-field={path}>
      {message}
    </p>
  );
}
