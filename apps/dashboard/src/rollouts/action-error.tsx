import { ApiError } from '../api/api-error.js';
import { ErrorBanner } from '../ui/error-banner.js';

/**
 * A refused action, in place. A 409 means the plan moved on meanwhile (the scheduler or someone else
 * acted): the banner says so and offers to reload it. Anything else is shown as the banner shows it.
 */
export function ActionError({ error, onReload }: { error: unknown; onReload: () => void }) {
  if (error instanceof ApiError && error.status === 409 && !error.isVersionConflict) {
    return (
      <div className="banner banner-warning" role="alert" data-testid="state-conflict">
        <p>
          <strong>The rollout changed meanwhile.</strong> {error.message}. Reload to see where it is now.
        </p>
        <button type="button" className="button" onClick={onReload}>
          Reload
        </button>
      </div>
    );
  }
  return <ErrorBanner error={error} onReload={onReload} />;
}
