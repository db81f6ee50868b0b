import { ForbiddenError, ValidationError } from '../../http/errors.js';
import type { Principal } from '../api-keys/api-key-service.js';
import type { EnvironmentSnapshot, SnapshotService } from './snapshot-service.js';

/**
 * The snapshot a request is served from. Server and client keys are bound to one environment and get
 * it, whatever they ask: naming another environment is refused (403), so a key can never read or
 * evaluate outside its environment. Admin keys name one with `?project=&environment=`.
 */
export async function snapshotFor(
  principal: Principal,
  query: { project?: string | undefined; environment?: string | undefined },
  snapshots: SnapshotService,
): Promise<EnvironmentSnapshot> {
  if (principal.kind === 'admin') {
    if (query.environment === undefined) {
      throw new ValidationError(
        'querystring.environment',
        'an admin key serves every environment: name one with ?project=&environment=',
      );
    }
    return snapshots.get(await snapshots.resolve(query.project ?? 'default', query.environment));
  }
  if (principal.projectId === null || principal.environmentId === null) {
    throw new ForbiddenError(`this ${principal.kind} key is not bound to an environment`);
  }
  const snapshot = await snapshots.get({
    projectId: principal.projectId,
    environmentId: principal.environmentId,
  });
  if (
    (query.project !== undefined && query.project !== snapshot.projectKey) ||
    (query.environment !== undefined && query.environment !== snapshot.environmentKey)
  ) {
    throw new ForbiddenError(
      `this ${principal.kind} key serves ${snapshot.projectKey}/${snapshot.environmentKey} only`,
    );
  }
  return snapshot;
}

/** Whether an If-None-Match header names this ETag (or is `*`); weak and strong tags compare alike. */
export function etagMatches(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const tags = (Array.isArray(header) ? header.join(',') : header).split(',');
  return tags.some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}
