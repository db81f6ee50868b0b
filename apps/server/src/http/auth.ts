import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyService, type Principal } from '../features/api-keys/api-key-service.js';
import type { KeyKind } from '../features/api-keys/api-key-store.js';
import { UnauthorizedError } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** The key presented: `Authorization: Bearer <key>` (or the bare key), or `X-API-Key`. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization.length > 0) {
    return authorization.replace(/^Bearer\s+/i, '').trim();
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.length > 0 ? header.trim() : undefined;
}

/**
 * A preHandler that authenticates the request's key and refuses keys of other kinds: 401 for a
 * missing, unknown or revoked key, 403 for a key of the wrong kind.
 */
export function requireKey(keys: ApiKeyService, ...kinds: KeyKind[]) {
  const check = async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const key = presentedKey(request);
    if (key === undefined) throw new UnauthorizedError();
    const principal = await keys.authenticate(key);
    if (principal === undefined) throw new UnauthorizedError('the API key is unknown or revoked');
    ApiKeyService.require(principal, kinds);
    request.principal = principal;
  };
  return Object.assign(check, { [KEY_CHECK]: true });
}

/** Marks the hooks {@link requireKey} makes, so that {@link authenticateFirst} can find them. */
const KEY_CHECK = Symbol('switchboard.requireKey');

type Hook = ((...args: never[]) => unknown) & { [KEY_CHECK]?: true };

/** The principal a preHandler has authenticated. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new UnauthorizedError();
  return request.principal;
}

/**
 * Authenticates every request before its body is read: a key check a route declares as a preHandler
 * is moved to the route's onRequest hooks, and a request without any key to a route that requires
 * one (its schema lists `security`) is refused. So a key of the wrong kind gets 401/403 whatever its
 * body (a client key learns nothing from a write route, not even its validation messages), a
 * cross-site form post, which cannot set Authorization, gets 401, and unauthenticated bodies cost no
 * parsing. Keys are read from headers only, never from cookies or the query string. Register it
 * before the routes.
 */
export function authenticateFirst(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const handlers = ([] as Hook[]).concat((route.preHandler as Hook | Hook[] | undefined) ?? []);
    const checks = handlers.filter((h) => h[KEY_CHECK] === true);
    if (checks.length === 0) return;
    const onRequest = ([] as Hook[]).concat((route.onRequest as Hook | Hook[] | undefined) ?? []);
    route.onRequest = [...onRequest, ...checks] as never;
    route.preHandler = handlers.filter((h) => h[KEY_CHECK] !== true) as never;
  });
  app.addHook('onRequest', async (request) => {
    const security = (request.routeOptions.schema as { security?: unknown[] } | undefined)?.security;
    if (security === undefined || security.length === 0) return;
    if (presentedKey(request) === undefined) throw new UnauthorizedError();
  });
}
