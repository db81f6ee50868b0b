import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, requireKey } from '../../http/auth.js';
import { errorResponse, expectedVersion, projectQuery, slug } from '../../http/schemas.js';
import type { ApiKeyService } from '../api-keys/api-key-service.js';
import { actorOf } from '../api-keys/api-key-service.js';
import {
  alertCreateSchema,
  alertEventViewSchema,
  alertListItemSchema,
  alertListQuerySchema,
  alertPatchSchema,
  alertViewSchema,
} from './alert-schemas.js';
import type { AlertService } from './alert-service.js';

const idParams = z.object({ id: z.uuid() });
const flagEnvironmentParams = z.object({ key: slug, env: slug });
const errors = {
  400: errorResponse,
  401: errorResponse,
  403: errorResponse,
  404: errorResponse,
  409: errorResponse,
  428: errorResponse,
};

const EVALUATION =
  'Rules are evaluated every minute from the hourly rollups: the window starts on the UTC hour `windowMinutes` before now. ' +
  'A variant counts once it has `minSample` requests in the window; the rule fires when one is over the threshold for ' +
  '`forMinutes`, and resolves when none is. Firing and resolving send alert.fired and alert.resolved to webhooks; ' +
  'a rule whose action is rollback also rolls the flag back in its environment.';

/** Alert rules on a flag's error rate, p95 latency, cost per day and fallback rate, and their history. */
export function registerAlertRoutes(app: FastifyInstance, alerts: AlertService, keys: ApiKeyService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = requireKey(keys, 'admin');
  const tags = ['alerts'];
  const security = [{ apiKey: [] }];

  r.get(
    '/api/v1/alerts',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "A project's alert rules with their state, by flag, environment or state",
        querystring: alertListQuerySchema,
        response: { 200: z.object({ items: z.array(alertListItemSchema) }), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      return { items: await alerts.list(q.project, { flag: q.flag, environment: q.env, state: q.state }) };
    },
  );

  r.get(
    '/api/v1/flags/:key/environments/:env/alerts',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "A flag's alert rules in one environment",
        params: flagEnvironmentParams,
        querystring: projectQuery,
        response: { 200: z.object({ items: z.array(alertListItemSchema) }), ...errors },
      },
    },
    async (request) => ({
      items: await alerts.list(request.query.project, {
        flag: request.params.key,
        environment: request.params.env,
      }),
    }),
  );

  r.post(
    '/api/v1/flags/:key/environments/:env/alerts',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Create an alert rule on a flag in one environment',
        description: EVALUATION,
        params: flagEnvironmentParams,
        querystring: projectQuery,
        body: alertCreateSchema,
        response: { 201: alertViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const rule = await alerts.create(
        request.query.project,
        request.params.key,
        request.params.env,
        request.body,
        actorOf(principalOf(request)),
      );
      reply.code(201);
      reply.header('etag', `"${rule.version}"`);
      return rule;
    },
  );

  r.get(
    '/api/v1/alerts/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'An alert rule and its state',
        params: idParams,
        response: { 200: alertViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const rule = await alerts.get(request.params.id);
      reply.header('etag', `"${rule.version}"`);
      return rule;
    },
  );

  r.patch(
    '/api/v1/alerts/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Edit an alert rule',
        description:
          'Send the version read (If-Match or "version"). The state carries over; disabling a firing rule resolves it.',
        params: idParams,
        body: alertPatchSchema,
        response: { 200: alertViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { version, ...patch } = request.body;
      const rule = await alerts.update(
        request.params.id,
        patch,
        expectedVersion(request.headers, version),
        actorOf(principalOf(request)),
      );
      reply.header('etag', `"${rule.version}"`);
      return rule;
    },
  );

  r.delete(
    '/api/v1/alerts/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Delete an alert rule and its history',
        params: idParams,
        response: { 200: alertViewSchema, ...errors },
      },
    },
    async (request) => alerts.delete(request.params.id, actorOf(principalOf(request))),
  );

  r.get(
    '/api/v1/alerts/:id/history',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'When an alert rule fired and resolved, and what its rollbacks did, newest first',
        params: idParams,
        querystring: z
          .object({
            limit: z.coerce.number().int().min(1).max(500).default(50),
            cursor: z.coerce.number().int().min(1).optional().describe('nextCursor of the previous page'),
          })
          .strict(),
        response: {
          200: z.object({ items: z.array(alertEventViewSchema), nextCursor: z.number().optional() }),
          ...errors,
        },
      },
    },
    async (request) =>
      alerts.history(request.params.id, { limit: request.query.limit, cursor: request.query.cursor }),
  );
}
