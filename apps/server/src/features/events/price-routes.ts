import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, requireKey } from '../../http/auth.js';
import { errorResponse } from '../../http/schemas.js';
import { type ApiKeyService, actorOf } from '../api-keys/api-key-service.js';
import type { PriceService } from './price-service.js';

/** USD per million tokens: far above any model's, to catch a price typed per token or per thousand. */
const MAX_PRICE_PER_MILLION = 10_000;

const price = z.number().min(0).max(MAX_PRICE_PER_MILLION);
const priceParams = z.object({
  provider: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, dots, dashes or underscores'),
  model: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
});
const entryView = z.object({
  provider: z.string(),
  model: z.string(),
  inputPerMillion: z.number(),
  outputPerMillion: z.number(),
  source: z.enum(['built-in', 'settings']),
  updatedAt: z.string().optional(),
});
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse };

/** The model price table in the server's settings: read it, override a price, remove an override. */
export function registerPriceRoutes(app: FastifyInstance, prices: PriceService, keys: ApiKeyService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = requireKey(keys, 'admin');
  const tags = ['settings'];
  const security = [{ apiKey: [] }];

  r.get(
    '/api/v1/settings/prices',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'The model prices generation costs are computed with',
        description:
          'USD per million input and output tokens: the built-in table merged with the overrides set here. ' +
          "An ai-config variant's own pricing wins for its own model.",
        response: { 200: z.object({ items: z.array(entryView) }), ...errors },
      },
    },
    async () => ({ items: await prices.list() }),
  );

  r.put(
    '/api/v1/settings/prices/:provider/:model',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "Set a model's price, overriding the built-in one",
        description: 'Providers are matched without regard to case. Applies to events received from now on.',
        params: priceParams,
        body: z.object({ inputPerMillion: price, outputPerMillion: price }).strict(),
        response: { 200: entryView, ...errors },
      },
    },
    async (request) =>
      prices.set(request.params.provider, request.params.model, request.body, actorOf(principalOf(request))),
  );

  r.delete(
    '/api/v1/settings/prices/:provider/:model',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "Remove a model's price override (its built-in price, if any, applies again)",
        params: priceParams,
        response: { 204: z.null().describe('Removed'), ...errors },
      },
    },
    async (request, reply) => {
      await prices.remove(request.params.provider, request.params.model, actorOf(principalOf(request)));
      reply.code(204);
      return null;
    },
  );
}
