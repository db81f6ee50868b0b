import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Where `npm run build` puts the dashboard: apps/dashboard/dist, reached the same way from this file
 * in src/ (tests) and in dist/ (the built server).
 */
export const DASHBOARD_DIST_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  'dashboard',
  'dist',
);

/** First path segments that belong to the server, never to the dashboard's client-side routes. */
const SERVER_PATHS = new Set(['api', 'docs', 'ofrep', 'healthz', 'readyz', 'metrics']);

/**
 * Headers for every dashboard response. The dashboard is built by Vite into files of its own origin:
 * no inline script or style, no third-party origin, and it only talks to this server, so everything is
 * 'self'. It is never framed (clickjacking a kill switch), and sends no referrer.
 */
export const DASHBOARD_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

const NOT_BUILT =
  'The Switchboard dashboard is not built. Run `npm run build` (npm install runs it too), then restart the server.\n' +
  'The API is served as usual: see /docs.\n';

/** Every file under `dir`, as paths relative to it with forward slashes. */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await filesUnder(dir, path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/**
 * Serves the built dashboard at `/`: its files as they are, and index.html for any other path that is
 * not the server's own (client-side routes such as /flags/checkout survive a reload). API, docs, OFREP,
 * health and metrics paths are left to their routes, and unknown ones get the API's JSON 404. Without
 * a build, `/` says how to make one.
 */
export async function registerDashboardRoutes(
  app: FastifyInstance,
  { dir = DASHBOARD_DIST_DIR }: { dir?: string } = {},
): Promise<void> {
  if (!existsSync(join(dir, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.code(404).type('text/plain; charset=utf-8').send(NOT_BUILT),
    );
    return;
  }
  // Listed once: the build is fixed for the life of the process, and only listed files are ever sent.
  const files = new Set(await filesUnder(dir));
  await app.register(async (scope) => {
    // Encapsulated: sendFile stays with the dashboard's routes.
    await scope.register(fastifyStatic, { root: dir, serve: false });
    const serve = async (request: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
      const path = request.params['*'] ?? '';
      if (SERVER_PATHS.has(path.split('/')[0] ?? '')) return reply.callNotFound();
      // Set here, not in a hook: the API's own 404s (callNotFound) keep their headers as they were.
      reply.headers(DASHBOARD_SECURITY_HEADERS);
      if (files.has(path) && path !== 'index.html') {
        // Vite names built assets by content hash: they never change under their name.
        const immutable = path.startsWith('assets/');
        return reply.sendFile(path, { immutable, maxAge: immutable ? '1y' : 0, cacheControl: true });
      }
      // A missing asset is a 404, not the page: HTML served as a script only hides the problem.
      if (path.startsWith('assets/')) return reply.callNotFound();
      reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html', { cacheControl: false });
    };
    scope.get('/', { schema: { hide: true } }, serve);
    scope.get('/*', { schema: { hide: true } }, serve);
  });
}
