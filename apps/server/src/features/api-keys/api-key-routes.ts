import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, requireKey } from '../../http/auth.js';
import { errorResponse, slug } from '../../http/schemas.js';
import { storableText } from '../../http/storable.js';
import { type ApiKeyService, actorOf } from './api-key-service.js';
import { KEY_KINDS } from './api-key-store.js';

const keyView = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(KEY_KINDS),
  project: z.string().nullable(),
  environment: z.string().nullable(),
  prefix: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse };

function view(k: z.infer<typeof keyView>) {
  return {
    id: k.id,
    name: k.name,
    kind: k.kind,
    project: k.project,
    environment: k.environment,
    prefix: k.prefix,
    createdAt: k.createdAt,
    createdBy: k.createdBy,
    lastUsedAt: k.lastUsedAt,
    revokedAt: k.revokedAt,
  };
}

/** API keys: admin (everything), server (one environment's snapshot, stream, events), client (evaluate only). */
export function registerApiKeyRoutes(app: FastifyInstance, keys: ApiKeyService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = requireKey(keys, 'admin');
  const tags = ['api-keys'];
  const security = [{ apiKey: [] }];

  r.get(
    '/api/v1/keys',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'List API keys (never the keys themselves)',
        response: { 200: z.object({ items: z.array(keyView) }), ...errors },
      },
    },
    async () => ({ items: (await keys.list()).map(view) }),
  );

  r.post(
    '/api/v1/keys',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Create an API key; the response is the only time the key is shown',
        body: z
          .object({
            name: storableText({ min: 1, max: 200 }),
            kind: z.enum(KEY_KINDS),
            project: slug.optional(),
            environment: slug.optional().describe('Required for server and client keys'),
          })
          .strict(),
        response: { 201: keyView.extend({ key: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      const { key, apiKey } = await keys.create(request.body, actorOf(principalOf(request)));
      reply.code(201);
      return { ...view(apiKey), key };
    },
  );

  r.delete(
    '/api/v1/keys/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Revoke an API key; it stops working at once',
        params: z.object({ id: z.string().uuid() }),
        response: { 200: keyView, ...errors },
      },
    },
    async (request) => view(await keys.revoke(request.params.id, actorOf(principalOf(request)))),
  );
}
