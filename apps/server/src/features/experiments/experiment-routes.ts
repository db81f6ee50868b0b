import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, requireKey } from '../../http/auth.js';
import { errorResponse, expectedVersion, projectQuery, slug } from '../../http/schemas.js';
import type { ApiKeyService } from '../api-keys/api-key-service.js';
import { actorOf } from '../api-keys/api-key-service.js';
import { policyBodySchema, policyViewSchema, resultsQuerySchema } from './experiment-schemas.js';
import type { ExperimentService } from './experiment-service.js';

const errors = {
  400: errorResponse,
  401: errorResponse,
  403: errorResponse,
  404: errorResponse,
  409: errorResponse,
  428: errorResponse,
};
const flagParams = z.object({ key: slug });
const policyParams = z.object({ key: slug, env: slug });
// The results are large, nested and computed by core: documented by prose, serialized as they are.
const resultsResponse = z.record(z.string(), z.unknown());

/** Results of a flag's experiment, its time series, and its promotion policy per environment. */
export function registerExperimentRoutes(
  app: FastifyInstance,
  experiments: ExperimentService,
  keys: ApiKeyService,
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = requireKey(keys, 'admin');
  const tags = ['experiments'];
  const security = [{ apiKey: [] }];
  const date = (text: string | undefined) => (text === undefined ? undefined : new Date(text));

  r.get(
    '/api/v1/flags/:key/results',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "A flag's results in one environment, per assigned variant, with the promotion verdict",
        description:
          'Per variant: units, exposures, requests, quality (mean feedback), p50/p95/p99 latency, cost per request and per day, error and fallback rates, adoption; ' +
          'and its shadow calls apart (requests, errors, latency, cost, judge quality, and the paired judge difference servedScore − shadowScore with its t-test). ' +
          'Per non-control variant against the control: absolute and relative differences with confidence intervals and p-values (Welch; proportions for rates) and ' +
          'always-valid sequential intervals; the sample-ratio check against the configured split; and the verdict (promote, hold with what is missing, regress with the broken guardrails). ' +
          'Computed from hourly rollups: `from` and `to` are rounded to whole UTC hours.',
        params: flagParams,
        querystring: resultsQuerySchema,
        response: { 200: resultsResponse, ...errors },
      },
    },
    async (request) => {
      const { project, env, from, to, control } = request.query;
      const results = await experiments.results(project, request.params.key, env, {
        from: date(from),
        to: date(to),
        control,
      });
      return results as unknown as Record<string, unknown>;
    },
  );

  r.get(
    '/api/v1/flags/:key/results/series',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "A flag's figures per UTC hour and variant, for charts",
        params: flagParams,
        querystring: resultsQuerySchema.omit({ control: true }),
        response: { 200: z.object({ items: z.array(resultsResponse) }), ...errors },
      },
    },
    async (request) => {
      const { project, env, from, to } = request.query;
      const items = await experiments.series(project, request.params.key, env, {
        from: date(from),
        to: date(to),
      });
      return { items: items as unknown as Record<string, unknown>[] };
    },
  );

  r.get(
    '/api/v1/flags/:key/environments/:env/policy',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "A flag's promotion policy in one environment (the defaults until one is set)",
        params: policyParams,
        querystring: projectQuery,
        response: { 200: policyViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const view = await experiments.getPolicy(request.query.project, request.params.key, request.params.env);
      reply.header('etag', `"${view.version}"`);
      return view;
    },
  );

  r.put(
    '/api/v1/flags/:key/environments/:env/policy',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "Set a flag's promotion policy in one environment",
        description:
          'Fields left out take the playbook defaults. Send the version read (If-Match or "version"; 0 before any was set).',
        params: policyParams,
        querystring: projectQuery,
        body: policyBodySchema,
        response: { 200: policyViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { version, ...input } = request.body;
      const view = await experiments.setPolicy(
        request.query.project,
        request.params.key,
        request.params.env,
        input,
        expectedVersion(request.headers, version),
        actorOf(principalOf(request)),
      );
      reply.header('etag', `"${view.version}"`);
      return view;
    },
  );
}
