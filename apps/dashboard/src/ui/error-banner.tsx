import { ApiError, NetworkError } from '../api/api-error.js';

interface Props {
  error: unknown;
  /** Offered on a version conflict: load the current version (the user's edit is dropped). */
  onReload?: () => void;
  /** Offered when the server could not be reached, or a load failed. */
  onRetry?: () => void;
}

/** A failed load or write, in words, with the way out it allows. */
export function ErrorBanner({ error, onReload, onRetry }: Props) {
  if (error === undefined || error === null) return null;
  if (error instanceof ApiError && error.isVersionConflict) {
    const current = error.body.currentVersion;
    return (
      <div className="banner banner-warning" role="alert" data-testid="version-conflict">
        <p>
          <strong>Someone else changed this</strong> since you loaded it
          {typeof current === 'number' ? ` (it is now at version ${current})` : ''}. Your change was not
          saved. Reload to see the current version, then make your change again.
        </p>
        {onReload !== undefined && (
          <button type="button" className="button" onClick={onReload}>
            Reload
          </button>
        )}
      </div>
    );
  }
  const fieldNamed =
    error instanceof ApiError && error.status === 400 && error.field !== undefined && error.field !== 'body';
  const message =
    error instanceof ApiError || error instanceof NetworkError
      ? error.message
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <div className="banner banner-error" role="alert">
      <p>
        {fieldNamed ? 'Not saved: the server refused a field. Its message is shown at the field.' : message}
      </p>
      {onRetry !== undefined && !fieldNamed && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
