import { type ApiClient, ApiError } from './api-client.js';
import { type EnvironmentView, flagPath } from './api-types.js';

/** Tries of a read-then-write before giving up on a flag that keeps changing under us. */
export const SET_ENABLED_ATTEMPTS = 5;
/** Pause before retrying after a version conflict, times the attempt number. */
const RETRY_PAUSE_MS = 50;

/** What {@link setEnabled} did. */
export interface SetEnabledResult {
  before: EnvironmentView;
  after: EnvironmentView;
  /** False when the flag was already in the asked state: nothing was written. */
  changed: boolean;
  /** Writes refused because another change landed between our read and our write. */
  conflicts: number;
}

export interface SetEnabledTarget {
  project: string;
  flag: string;
  environment: string;
  enabled: boolean;
  /** Write only if the configuration is still at this version (no read, no retry). */
  ifVersion?: number | undefined;
}

/**
 * Turns a flag on or off in one environment. Reads the current version and writes with it; when
 * another change wins the race (409 VERSION_CONFLICT) it reads again and retries, a few times.
 * With `ifVersion`, it writes once with that version and a stale one fails (409).
 */
export async function setEnabled(api: ApiClient, target: SetEnabledTarget): Promise<SetEnabledResult> {
  const query = { project: target.project };
  const action = target.enabled ? 'enable' : 'disable';
  const envPath = flagPath(target.flag, target.environment);
  if (target.ifVersion !== undefined) {
    const before = await api.get<EnvironmentView>(envPath, query);
    const after = await api.post<EnvironmentView>(flagPath(target.flag, target.environment, action), query, {
      version: target.ifVersion,
    });
    return { before, after, changed: true, conflicts: 0 };
  }
  let conflicts = 0;
  for (;;) {
    const before = await api.get<EnvironmentView>(envPath, query);
    if (before.enabled === target.enabled) return { before, after: before, changed: false, conflicts };
    try {
      const after = await api.post<EnvironmentView>(
        flagPath(target.flag, target.environment, action),
        query,
        { version: before.version },
      );
      return { before, after, changed: true, conflicts };
    } catch (error) {
      const retriable = error instanceof ApiError && error.code === 'VERSION_CONFLICT';
      if (!retriable || ++conflicts >= SET_ENABLED_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS * conflicts));
    }
  }
}
