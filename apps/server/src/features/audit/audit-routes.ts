import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireKey } from '../../http/auth.js';
import { errorResponse, slug } from '../../http/schemas.js';
import type { ApiKeyService } from '../api-keys/api-key-service.js';
import type { AuditStore } from './audit-store.js';

const entryView = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  resourceType: z.string(),
  resourceKey: z.string(),
  project: z.string().nullable(),
  environment: z.string().nullable(),
  flag: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
});

/** The audit log: read-only and append-only, newest first, filterable by flag, actor, action and time. */
export function registerAuditRoutes(app: FastifyInstance, audit: AuditStore, keys: ApiKeyService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/audit',
    {
      preHandler: requireKey(keys, 'admin'),
      schema: {
        tags: ['audit'],
        security: [{ apiKey: [] }],
        summary: 'Read the audit log, newest first',
        querystring: z.object({
          project: slug.optional(),
          flag: slug.optional(),
          actor: z.string().max(300).optional(),
          action: z.string().max(100).optional(),
          from: z.string().datetime({ offset: true }).optional().describe('Inclusive, ISO-8601'),
          to: z.string().datetime({ offset: true }).optional().describe('Exclusive, ISO-8601'),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.coerce.number().int().min(1).optional().describe('nextCursor of the previous page'),
        }),
        response: {
          200: z.object({ items: z.array(entryView), nextCursor: z.number().optional() }),
          400: errorResponse,
          401: errorResponse,
          403: errorResponse,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const items = await audit.list({
        project: q.project,
        flag: q.flag,
        actor: q.actor,
        action: q.action,
        from: q.from === undefined ? undefined : new Date(q.from).toISOString(),
        to: q.to === undefined ? undefined : new Date(q.to).toISOString(),
        before: q.cursor,
        limit: q.limit + 1,
      });
      const page = items.slice(0, q.limit);
      return { items: page, nextCursor: items.length > q.limit ? page[page.length - 1]?.id : undefined };
    },
  );
}
