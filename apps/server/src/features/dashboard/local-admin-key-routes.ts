import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../http/errors.js';
import { errorResponse } from '../../http/schemas.js';
import { ADMIN_KEY_FILE, type ApiKeyService } from '../api-keys/api-key-service.js';

/** Whether a socket address is this machine's loopback (IPv4 127/8, IPv6 ::1, or IPv4-mapped 127/8). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1';
}

/** Whether a Host header names this machine by a loopback name (`localhost`, `127.0.0.1:7400`, `[::1]`). */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
  return name === 'localhost' || name === '[::1]' || isLoopbackAddress(name);
}

/** Headers a proxy adds: their presence means the socket's peer is a proxy, not the browser. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip'];

function fromThisMachine(request: FastifyRequest): boolean {
  return (
    // The socket's peer, never request.ip: forwarding headers are whatever the client wrote.
    isLoopbackAddress(request.socket.remoteAddress) &&
    isLoopbackHost(request.headers.host) &&
    !FORWARDING_HEADERS.some((h) => request.headers[h] !== undefined) &&
    request.headers['sec-fetch-site'] !== 'cross-site'
  );
}

/**
 * `GET /api/v1/local-admin-key`: the admin key that the first start wrote to `data/admin-key`, for the
 * dashboard to offer at sign-in when the browser runs on the same machine as a fresh install.
 *
 * The risk: whoever can make a request from this machine's loopback gets an admin key without
 * presenting one. That is no more than they have already (the same user can read the file, which is
 * mode 0600), but other local users, and anything that proxies requests from this host, would gain
 * it. So the key is given only when:
 * - the TCP peer is a loopback address (the socket, never X-Forwarded-For, which a client writes);
 * - no forwarding header is present: a reverse proxy on the same host makes every request loopback;
 * - the Host header is a loopback name: a page on another site that rebinds its DNS name to 127.0.0.1
 *   sends its own name (DNS rebinding), and the server sends no CORS headers for other origins;
 * - the file still exists and its key still works.
 * Deleting `data/admin-key` (or revoking that key) ends the offer; operators should do so once they
 * have made their own keys, and must not expose a same-host proxy that strips forwarding headers.
 */
export function registerLocalAdminKeyRoute(
  app: FastifyInstance,
  { dataDir, keys }: { dataDir: string; keys: ApiKeyService },
): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/local-admin-key',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'The local admin key of a fresh install, for a browser on the same machine',
        description:
          'Answers only to loopback connections without forwarding headers, while data/admin-key exists and its key works; 404 otherwise.',
        response: { 200: z.object({ key: z.string() }), 404: errorResponse },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const notOffered = new NotFoundError('local admin key', ADMIN_KEY_FILE);
      if (!fromThisMachine(request)) throw notOffered;
      let key: string;
      try {
        key = (await readFile(join(dataDir, ADMIN_KEY_FILE), 'utf8')).trim();
      } catch {
        throw notOffered;
      }
      const principal = key === '' ? undefined : await keys.authenticate(key);
      if (principal?.kind !== 'admin') throw notOffered;
      return { key };
    },
  );
}
