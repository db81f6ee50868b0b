import type { CreateRateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../http/errors.js';

/** The window `clientRateLimitPerMinute` counts in. */
const RATE_WINDOW_MS = 60_000;
/** Counters kept (one per key and caller IP); the least recently used go first beyond this. */
const RATE_COUNTERS = 50_000;

/** Too many requests from one key and IP: retry after the given number of seconds. */
export class RateLimitedError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super(
      `too many requests for this key from this address: retry in ${retryAfterSeconds} s`,
      429,
      'RATE_LIMITED',
      { retryAfterSeconds },
    );
  }
}

/**
 * An onRequest hook (after authentication) limiting each API key, per caller IP, to `perMinute`
 * requests on the routes it is attached to; past it, 429 with Retry-After. Needs @fastify/rate-limit
 * registered on `scope` (with `global: false`, so nothing else is limited).
 */
export function clientRateLimit(scope: FastifyInstance, perMinute: number) {
  // `cache` sizes the counter store; the plugin reads it though its type for this call omits it.
  const options: CreateRateLimitOptions & { cache: number } = {
    max: perMinute,
    timeWindow: RATE_WINDOW_MS,
    keyGenerator: (request) => `${request.principal?.keyId ?? ''}|${request.ip}`,
    cache: RATE_COUNTERS,
  };
  const check = scope.createRateLimit(options);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const outcome = await check(request);
    if (outcome.isAllowed || !outcome.isExceeded) return;
    const seconds = Math.max(1, outcome.ttlInSeconds);
    reply.header('retry-after', String(seconds));
    throw new RateLimitedError(seconds);
  };
}
