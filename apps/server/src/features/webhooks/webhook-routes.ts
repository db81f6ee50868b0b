import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, requireKey } from '../../http/auth.js';
import { errorResponse, expectedVersion, projectQuery } from '../../http/schemas.js';
import type { ApiKeyService } from '../api-keys/api-key-service.js';
import { actorOf } from '../api-keys/api-key-service.js';
import {
  deliveryListQuerySchema,
  deliveryViewSchema,
  webhookCreateSchema,
  webhookListItemSchema,
  webhookPatchSchema,
  webhookViewSchema,
  webhookWithSecretSchema,
} from './webhook-schemas.js';
import type { WebhookService } from './webhook-service.js';

const idParams = z.object({ id: z.uuid() });
const errors = {
  400: errorResponse,
  401: errorResponse,
  403: errorResponse,
  404: errorResponse,
  409: errorResponse,
  428: errorResponse,
};

const SIGNING =
  'Every delivery is a POST with `Switchboard-Signature: t=<unix seconds>,v1=<hex>`, the HMAC-SHA256 of `<t>.<body>` under the ' +
  "webhook's secret (verify it with `verifyWebhookSignature`, refusing old timestamps), `Switchboard-Event`, and " +
  '`Switchboard-Delivery` (the same on every retry of one delivery: ignore ids already processed). ' +
  'Failed deliveries (no answer, 408, 425, 429, 5xx) are retried 7 times over about ten hours (10 s, then ×4 each time, 6 h at most).';

/** Webhooks: receivers of flag changes, rollout decisions, alerts and failed scheduled changes. */
export function registerWebhookRoutes(
  app: FastifyInstance,
  webhooks: WebhookService,
  keys: ApiKeyService,
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = requireKey(keys, 'admin');
  const tags = ['webhooks'];
  const security = [{ apiKey: [] }];

  r.get(
    '/api/v1/webhooks',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "A project's webhooks (never their secrets)",
        querystring: projectQuery,
        response: { 200: z.object({ items: z.array(webhookListItemSchema) }), ...errors },
      },
    },
    async (request) => ({ items: await webhooks.list(request.query.project) }),
  );

  r.post(
    '/api/v1/webhooks',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Create a webhook; the response is the only time its secret is shown',
        description: SIGNING,
        querystring: projectQuery,
        body: webhookCreateSchema,
        response: { 201: webhookWithSecretSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { webhook, secret } = await webhooks.create(
        request.query.project,
        request.body,
        actorOf(principalOf(request)),
      );
      reply.code(201);
      reply.header('etag', `"${webhook.version}"`);
      return { ...webhook, secret };
    },
  );

  r.get(
    '/api/v1/webhooks/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'A webhook (never its secret)',
        params: idParams,
        response: { 200: webhookViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const webhook = await webhooks.get(request.params.id);
      reply.header('etag', `"${webhook.version}"`);
      return webhook;
    },
  );

  r.patch(
    '/api/v1/webhooks/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "Edit a webhook's name, URL, events, filters, format, or turn it off",
        description: 'Send the version read (If-Match or "version").',
        params: idParams,
        body: webhookPatchSchema,
        response: { 200: webhookViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { version, ...patch } = request.body;
      const webhook = await webhooks.update(
        request.params.id,
        patch,
        expectedVersion(request.headers, version),
        actorOf(principalOf(request)),
      );
      reply.header('etag', `"${webhook.version}"`);
      return webhook;
    },
  );

  r.delete(
    '/api/v1/webhooks/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Delete a webhook, its delivery log and the deliveries not yet made',
        params: idParams,
        response: { 200: webhookViewSchema, ...errors },
      },
    },
    async (request) => webhooks.delete(request.params.id, actorOf(principalOf(request))),
  );

  r.post(
    '/api/v1/webhooks/:id/rotate-secret',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "Replace a webhook's secret; the response is the only time the new one is shown",
        description: 'Deliveries from now on, retries included, are signed with the new secret.',
        params: idParams,
        response: { 200: webhookWithSecretSchema, ...errors },
      },
    },
    async (request) => {
      const { webhook, secret } = await webhooks.rotateSecret(
        request.params.id,
        actorOf(principalOf(request)),
      );
      return { ...webhook, secret };
    },
  );

  r.post(
    '/api/v1/webhooks/:id/test',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Send a webhook.test event now and report what the receiver answered',
        description:
          'One attempt, not retried; it is in the delivery log like any other. Works on a disabled webhook.',
        params: idParams,
        response: { 200: deliveryViewSchema, ...errors },
      },
    },
    async (request) => webhooks.sendTest(request.params.id, actorOf(principalOf(request))),
  );

  r.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "A webhook's delivery log, newest first, with every attempt",
        params: idParams,
        querystring: deliveryListQuerySchema,
        response: {
          200: z.object({ items: z.array(deliveryViewSchema), nextCursor: z.number().optional() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      return webhooks.deliveries(request.params.id, { limit: q.limit, cursor: q.cursor, status: q.status });
    },
  );
}
