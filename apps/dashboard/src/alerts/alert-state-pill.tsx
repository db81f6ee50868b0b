import type { AlertState } from './alert-types.js';

const CLASSES: Record<AlertState, string> = {
  inactive: 'pill pill-on',
  pending: 'pill pill-pending',
  firing: 'pill pill-off',
};

/** Where a rule stands, in words and colour (never colour alone). */
export function AlertStatePill({ state }: { state: AlertState }) {
  return (
    <span className={CLASSES[state]} data-state={state}>
      {state === 'inactive' ? 'ok' : state}
    </span>
  );
}
