import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, requireKey } from '../../http/auth.js';
import { errorResponse, slug } from '../../http/schemas.js';
import type { ApiKeyService } from '../api-keys/api-key-service.js';
import type { KeyKind } from '../api-keys/api-key-store.js';
import { snapshotFor } from '../evaluation/evaluation-scope.js';
import type { SnapshotService } from '../evaluation/snapshot-service.js';
import type { StreamHub, StreamKind } from './stream-hub.js';

const scopeQuery = z.object({ project: slug.optional(), environment: slug.optional() });
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse };

/** The environment version a reconnecting client already has, from Last-Event-ID (or ?version=). */
function lastVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['last-event-id'];
  const raw = typeof header === 'string' ? header : (request.query as { version?: string }).version;
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/**
 * Server-sent event streams: `GET /api/v1/sdk/stream` (server keys) carries every change as
 * put/patch/delete; `GET /api/v1/client/stream` (client keys) only signals that values may have
 * changed, so browsers re-evaluate without ever seeing rules. An admin key may open either for the
 * environment it names with `?project=&environment=`: the dashboard follows changes that way.
 */
export function registerStreamRoutes(
  app: FastifyInstance,
  hub: StreamHub,
  snapshots: SnapshotService,
  keys: ApiKeyService,
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const route = (url: string, kind: StreamKind, kinds: KeyKind[], summary: string) =>
    r.get(
      url,
      {
        preHandler: requireKey(keys, ...kinds),
        schema: {
          tags: ['sdk'],
          security: [{ apiKey: [] }],
          summary,
          description:
            'text/event-stream. Each event has the environment version as its id; reconnect with Last-Event-ID to get only what you missed (a put when anything changed). A heartbeat comes every 15 s. Server and client keys get their own environment; an admin key names one with ?project=&environment=. ' +
            "Server streams opened with ?events=drain also get `drain` events ({ version, flag, variant?, reason }) when a rollback or a kill asks SDKs to abort the flag's in-flight generations.",
          querystring: scopeQuery.extend({
            version: z.string().regex(/^\d+$/).optional(),
            events: z
              .string()
              .max(200)
              .optional()
              .describe('Optional events the client understands, comma-separated: drain'),
          }),
          response: errors,
        },
      },
      async (request: FastifyRequest, reply: FastifyReply) => {
        const principal = principalOf(request);
        const snapshot = await snapshotFor(principal, request.query as z.infer<typeof scopeQuery>, snapshots);
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          // Headers set before the hijack (CORS on the client stream) would otherwise be lost.
          ...(Object.fromEntries(
            Object.entries(reply.getHeaders()).filter(([, v]) => v !== undefined),
          ) as Record<string, string | number | string[]>),
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        raw.flushHeaders();
        request.raw.socket.setNoDelay(true);
        request.raw.socket.setKeepAlive(true);
        const optional = ((request.query as { events?: string }).events ?? '').split(',');
        await hub.attach(
          { projectId: snapshot.projectId, environmentId: snapshot.environmentId },
          raw,
          kind,
          lastVersion(request),
          { drain: optional.includes('drain'), keyId: principal.keyId },
        );
      },
    );
  route(
    '/api/v1/sdk/stream',
    'server',
    ['server', 'admin'],
    'The SDK stream: put, patch and delete events for one environment',
  );
  route(
    '/api/v1/client/stream',
    'client',
    ['client', 'admin'],
    'The browser stream: a change signal when values may have changed',
  );
}
