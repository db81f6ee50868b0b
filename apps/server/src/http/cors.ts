import fastifyCors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Paths a browser on another origin may call: client evaluation, the client stream and OFREP. They
 * take client keys, which are public by design (they only evaluate, for one environment), so any
 * configured origin may call them. Everything else (the admin API the dashboard uses, SDK and server
 * routes) sends no CORS headers at all: a page on another origin cannot read its answers, and its
 * preflights are refused, so a browser never sends it a cross-origin request with a key.
 */
export const BROWSER_PATH_PREFIXES: readonly string[] = ['/api/v1/client/', '/ofrep/v1/'];

/** How long a browser may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** Whether a request is for one of the {@link BROWSER_PATH_PREFIXES}. */
export function isBrowserPath(url: string): boolean {
  return BROWSER_PATH_PREFIXES.some((prefix) => url.startsWith(prefix));
}

/**
 * Registers CORS deliberately: `origins` (from SWITCHBOARD_CORS_ORIGINS, `*` by default) may call the
 * browser paths; no origin may call anything else. Credentials (cookies) are never allowed: keys travel
 * in the Authorization header, which a cross-site form or image cannot set, so there is no CSRF to fear.
 */
export async function registerCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  const browserOrigin = origins.includes('*') ? '*' : [...origins];
  await app.register(fastifyCors, {
    hideOptionsRoute: true,
    delegator: (request: FastifyRequest, callback) => {
      if (!isBrowserPath(request.url)) {
        callback(null, { origin: false });
        return;
      }
      callback(null, {
        origin: browserOrigin,
        methods: ['GET', 'POST'],
        allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'last-event-id'],
        exposedHeaders: ['etag', 'retry-after'],
        credentials: false,
        maxAge: PREFLIGHT_MAX_AGE_SECONDS,
      });
    },
  });
}
