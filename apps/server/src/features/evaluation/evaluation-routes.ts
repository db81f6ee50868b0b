import fastifyRateLimit from '@fastify/rate-limit';
import { type CompiledSnapshot, compileSnapshot, evaluate, explain, type Snapshot } from '@switchboard/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, requireKey } from '../../http/auth.js';
import { ValidationError } from '../../http/errors.js';
import { errorResponse } from '../../http/schemas.js';
import type { Metrics } from '../../metrics.js';
import type { ApiKeyService } from '../api-keys/api-key-service.js';
import { clientRateLimit } from './client-rate-limit.js';
import {
  clientEvaluateBody,
  clientEvaluateQuery,
  clientEvaluateResponse,
  environmentQuery,
  evaluateBody,
  evaluateResponse,
  MAX_FLAGS_PER_REQUEST,
  rateLimitedResponse,
  snapshotSchema,
} from './evaluation-schemas.js';
import { etagMatches, snapshotFor } from './evaluation-scope.js';
import { sendJson } from './json-reply.js';
import { registerOfrepRoutes } from './ofrep-routes.js';
import { ResultEncoder } from './result-encoder.js';
import type { SnapshotService } from './snapshot-service.js';

/** What the evaluation routes need. */
export interface EvaluationRouteDeps {
  snapshots: SnapshotService;
  keys: ApiKeyService;
  metrics: Metrics;
  /** Requests per minute per key and caller IP on the client and OFREP endpoints. */
  clientRateLimitPerMinute: number;
}

const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse };
const security = [{ apiKey: [] }];
const notModified = z.null().describe('Not modified: the ETag sent in If-None-Match is current');

/**
 * Evaluation: the SDK snapshot, the admin evaluate/explain endpoint, client evaluation and OFREP.
 * Keys authenticate in onRequest, so a refused or rate-limited request is answered before its body
 * is read. Only the client and OFREP routes are rate limited.
 */
export async function registerEvaluationRoutes(
  app: FastifyInstance,
  deps: EvaluationRouteDeps,
): Promise<void> {
  await app.register(async (scope) => {
    // Encapsulated here, and not global: only the routes that attach the limiter are limited.
    await scope.register(fastifyRateLimit, { global: false });
    const limit = clientRateLimit(scope, deps.clientRateLimitPerMinute);
    const encoder = new ResultEncoder();
    registerSnapshotRoute(scope, deps);
    registerEvaluateRoute(scope, deps);
    registerClientEvaluateRoute(scope, deps, encoder, limit);
    await scope.register(async (ofrep) => registerOfrepRoutes(ofrep, deps, encoder, limit));
  });
}

function registerSnapshotRoute(app: FastifyInstance, { snapshots, keys }: EvaluationRouteDeps): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/sdk/snapshot',
    {
      onRequest: requireKey(keys, 'server', 'admin'),
      schema: {
        tags: ['sdk'],
        security,
        summary: "One environment's flags and segments, for SDKs that evaluate locally",
        description:
          'A server key gets its own environment; an admin key names one with ?project=&environment=. Send the ETag back in If-None-Match: 304 while nothing changed.',
        querystring: environmentQuery,
        response: { 200: snapshotSchema, 304: notModified, ...errors },
      },
    },
    async (request, reply) => {
      const snapshot = await snapshotFor(principalOf(request), request.query, snapshots);
      reply.header('etag', snapshot.etag).header('cache-control', 'no-cache');
      if (etagMatches(request.headers['if-none-match'], snapshot.etag))
        // Nothing, not null: null would be serialized as a 4-byte body a 304 must not have.
        return reply.code(304).send(undefined as unknown as null);
      return sendJson(reply, snapshot.body);
    },
  );
}

function registerEvaluateRoute(
  app: FastifyInstance,
  { snapshots, keys, metrics }: EvaluationRouteDeps,
): void {
  const counted = metrics.evaluations.labels({ endpoint: 'evaluate' });
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/evaluate',
    {
      onRequest: requireKey(keys, 'admin'),
      schema: {
        tags: ['evaluation'],
        security,
        summary: 'Evaluate and explain flags for a context, against an environment or an inline snapshot',
        description:
          'Give exactly one of environment (as stored) or snapshot (what-if, e.g. a draft). With flag, how that flag evaluated: the result, which step decided, the prerequisites checked, each rule and clause tried, the bucket of a split. Without, the same for every flag.',
        body: evaluateBody,
        response: { 200: evaluateResponse, ...errors },
      },
    },
    async (request) => {
      const body = request.body;
      const { compiled, version } = await evaluationTarget(body, snapshots);
      const explained = (flag: string) => ({
        flag,
        ...explain(compiled, flag, body.context, body.default),
      });
      if (body.flag !== undefined) {
        counted.inc();
        return explained(body.flag);
      }
      const flags = compiled.flagKeys().map(explained);
      counted.inc(flags.length);
      return version === undefined ? { flags } : { version, flags };
    },
  );
}

function registerClientEvaluateRoute(
  app: FastifyInstance,
  { snapshots, keys, metrics }: EvaluationRouteDeps,
  encoder: ResultEncoder,
  limit: ReturnType<typeof clientRateLimit>,
): void {
  const counted = metrics.evaluations.labels({ endpoint: 'client' });
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/client/evaluate',
    {
      onRequest: [requireKey(keys, 'client', 'admin'), limit],
      schema: {
        tags: ['evaluation'],
        security,
        summary: 'Evaluate flags for one context and get their values only (safe in a browser)',
        description:
          'A client key evaluates in its own environment (an admin key names one with ?project=&environment=). Only values, variants, reasons and error codes are returned: no rules, clauses, targeted ids or salts. Server keys are refused: they belong to SDKs that evaluate locally.',
        querystring: clientEvaluateQuery,
        body: clientEvaluateBody,
        response: { 200: clientEvaluateResponse, 429: rateLimitedResponse, ...errors },
      },
    },
    async (request, reply) => {
      const snapshot = await snapshotFor(principalOf(request), request.query, snapshots);
      const context = request.body.context ?? {};
      const keys = request.query.flags === undefined ? snapshot.flagKeys : flagList(request.query.flags);
      let json = '{"flags":{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        const result = evaluate(snapshot.compiled, key, context);
        json += `${i === 0 ? '' : ','}${JSON.stringify(key)}:${encoder.clientJson(result)}`;
      }
      counted.inc(keys.length);
      reply.header('cache-control', 'private, no-store');
      return sendJson(reply, `${json}}}`);
    },
  );
}

/** What an admin evaluation runs against: the environment as stored, or the snapshot sent. */
async function evaluationTarget(
  body: { project: string; environment?: string | undefined; snapshot?: unknown },
  snapshots: SnapshotService,
): Promise<{ compiled: CompiledSnapshot; version?: number }> {
  if (body.environment !== undefined && body.snapshot === undefined) {
    const stored = await snapshots.get(await snapshots.resolve(body.project, body.environment));
    return { compiled: stored.compiled, version: stored.version };
  }
  if (body.snapshot !== undefined && body.environment === undefined) {
    // Compiled once and dropped: interpreting its rules is cheaper than generating code for them.
    return { compiled: compileSnapshot(body.snapshot as Snapshot, { generateCode: false }) };
  }
  throw new ValidationError('body', 'give exactly one of environment or snapshot');
}

/** `a, b,,a` → `['a', 'b']`, refusing absurdly many. */
function flagList(text: string): string[] {
  const keys = [...new Set(text.split(',').map((k) => k.trim()))].filter((k) => k !== '');
  if (keys.length > MAX_FLAGS_PER_REQUEST) {
    throw new ValidationError('querystring.flags', `at most ${MAX_FLAGS_PER_REQUEST} flags per request`);
  }
  return keys;
}
