import type { FastifyReply, FastifyRequest } from 'fastify';
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
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const key = presentedKey(request);
    if (key === undefined) throw new UnauthorizedError();
    const principal = await keys.authenticate(key);
    if (principal === undefined) throw new UnauthorizedError('the API key is unknown or revoked');
    ApiKeyService.require(principal, kinds);
    request.principal = principal;
  };
}

/** The principal a preHandler has authenticated. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new UnauthorizedError();
  return request.principal;
}
