import { Readable } from 'node:stream';
import { parseDate } from '@switchboard/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, requireKey } from '../../http/auth.js';
import type { ApiKeyService } from '../api-keys/api-key-service.js';
import { snapshotFor } from '../evaluation/evaluation-scope.js';
import type { SnapshotService } from '../evaluation/snapshot-service.js';
import {
  EVENT_LIMITS,
  eventBatchSchema,
  eventErrors,
  eventHeaders,
  eventScopeQuery,
  exportQuery,
  ingestResponseSchema,
} from './event-schemas.js';
import type { EventService } from './event-service.js';

/**
 * The largest body `POST /api/v1/events` takes, unless the configured limit is larger: 5,000 events of
 * the longest fields allowed need about this much.
 */
export const EVENTS_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

export interface EventRouteDependencies {
  events: EventService;
  snapshots: SnapshotService;
  keys: ApiKeyService;
  /** The server's configured body limit. */
  bodyLimitBytes: number;
}

/** Event ingestion (server keys, or admin keys naming the environment) and the raw export (admin). */
export function registerEventRoutes(app: FastifyInstance, deps: EventRouteDependencies): void {
  const { events, snapshots, keys } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['events'];
  const security = [{ apiKey: [] }];

  r.post(
    '/api/v1/events',
    {
      preHandler: requireKey(keys, 'server', 'admin'),
      bodyLimit: Math.max(deps.bodyLimitBytes, EVENTS_BODY_LIMIT_BYTES),
      schema: {
        tags,
        security,
        summary: 'Send a batch of exposure, generation, feedback and metric events',
        description:
          `1 to ${EVENT_LIMITS.eventsPerBatch.toLocaleString('en')} events for the key's environment ` +
          '(an admin key names it with ?project=&environment=). Each event is checked on its own: the valid ' +
          'ones are kept, the others listed in `rejected` with their index and field (unknown flag or ' +
          'variant, bad ts, a field of the wrong type). The Idempotency-Key header identifies the batch: a ' +
          'replay gets the first answer with `duplicate: true` and changes nothing.',
        querystring: eventScopeQuery,
        headers: eventHeaders,
        body: eventBatchSchema,
        response: { 200: ingestResponseSchema, ...eventErrors },
      },
    },
    async (request) => {
      const snapshot = await snapshotFor(principalOf(request), request.query, snapshots);
      return events.ingest(snapshot, request.headers['idempotency-key'], request.body.events);
    },
  );

  r.get(
    '/api/v1/events/export',
    {
      preHandler: requireKey(keys, 'admin'),
      schema: {
        tags,
        security,
        summary: 'Export the raw events of an environment as NDJSON',
        description:
          'One event per line (application/x-ndjson), in the order received, each with its server-filled ts ' +
          'and cost and its environment; filtered by ts (from inclusive, to exclusive), kind and flag. Raw ' +
          'events are kept for SWITCHBOARD_EVENT_RETENTION_DAYS.',
        querystring: exportQuery,
        response: {
          200: z.string().describe('NDJSON: one event per line'),
          ...eventErrors,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const ref = await snapshots.resolve(q.project, q.environment);
      const lines = events.exportEvents({
        environment: { ...ref, environmentKey: q.environment },
        from: timeOf(q.from),
        to: timeOf(q.to),
        kind: q.kind,
        flag: q.flag,
      });
      reply.type('application/x-ndjson; charset=utf-8');
      // Fastify pipes a stream as it is; the typed reply only knows the documented (text) body.
      return reply.send(Readable.from(lines) as unknown as string);
    },
  );
}

/** A time the query schema has checked (RFC 3339, as core's parseDate reads it). */
function timeOf(text: string | undefined): Date | undefined {
  const ms = parseDate(text);
  return ms === undefined ? undefined : new Date(ms);
}
