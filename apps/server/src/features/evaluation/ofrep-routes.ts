import { hash } from 'node:crypto';
import { ErrorCode, evaluate } from '@switchboard/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, requireKey } from '../../http/auth.js';
import { errorResponse } from '../../http/schemas.js';
import type { clientRateLimit } from './client-rate-limit.js';
import type { EvaluationRouteDeps } from './evaluation-routes.js';
import {
  environmentQuery,
  ofrepBulkFailure,
  ofrepBulkSuccess,
  ofrepFailure,
  ofrepNotFound,
  ofrepRequest,
  ofrepSuccess,
  rateLimitedResponse,
} from './evaluation-schemas.js';
import { etagMatches, snapshotFor } from './evaluation-scope.js';
import { sendJson } from './json-reply.js';
import { ofrepItem, type ResultEncoder } from './result-encoder.js';

const tags = ['ofrep'];
const security = [{ apiKey: [] }];
const keyErrors = { 401: errorResponse, 403: errorResponse, 429: rateLimitedResponse };

/**
 * The OpenFeature Remote Evaluation Protocol (OFREP) core endpoints, so OpenFeature's OFREP providers
 * work against Switchboard unchanged. Results are values only, as on the client endpoint; reasons and
 * error codes are OpenFeature's, and PREREQUISITE_FAILED passes through as a custom reason (OpenFeature
 * reasons are open strings). Requires a client key (or an admin key naming an environment).
 */
export function registerOfrepRoutes(
  app: FastifyInstance,
  { snapshots, keys, metrics }: EvaluationRouteDeps,
  encoder: ResultEncoder,
  limit: ReturnType<typeof clientRateLimit>,
): void {
  const counted = metrics.evaluations.labels({ endpoint: 'ofrep' });
  const r = app.withTypeProvider<ZodTypeProvider>();
  const onRequest = [textAsJson, requireKey(keys, 'client', 'admin'), limit];

  r.post(
    '/ofrep/v1/evaluate/flags/:key',
    {
      onRequest,
      errorHandler: ofrepRequestErrors,
      schema: {
        tags,
        security,
        summary: 'OFREP: evaluate one flag',
        description:
          '200 with the value; 404 FLAG_NOT_FOUND; 400 with errorCode (PARSE_ERROR, TARGETING_KEY_MISSING, INVALID_CONTEXT, GENERAL) when the flag could not be evaluated. A result without value tells the provider to use its code default.',
        params: z.object({ key: z.string().min(1).max(500) }),
        querystring: environmentQuery,
        body: ofrepRequest,
        response: {
          200: ofrepSuccess,
          400: z.union([ofrepFailure, errorResponse]),
          404: z.union([ofrepNotFound, errorResponse]),
          ...keyErrors,
        },
      },
    },
    async (request, reply) => {
      const snapshot = await snapshotFor(principalOf(request), request.query, snapshots);
      const key = request.params.key;
      const result = evaluate(snapshot.compiled, key, request.body?.context ?? {});
      counted.inc();
      const item = ofrepItem(key, result);
      if ('errorCode' in item) reply.code(item.errorCode === ErrorCode.FlagNotFound ? 404 : 400);
      reply.header('cache-control', 'private, no-store');
      return sendJson(reply, encoder.ofrepJson(key, result));
    },
  );

  r.post(
    '/ofrep/v1/evaluate/flags',
    {
      onRequest,
      errorHandler: ofrepRequestErrors,
      schema: {
        tags,
        security,
        summary: 'OFREP: evaluate every flag for one context',
        description:
          'Flags that could not be evaluated are items with errorCode. The ETag covers the environment version and the context: send it back in If-None-Match for a 304 while neither changed.',
        querystring: environmentQuery,
        body: ofrepRequest,
        response: {
          200: ofrepBulkSuccess,
          304: z.null().describe('Not modified: neither the flags nor the context changed'),
          400: z.union([ofrepBulkFailure, errorResponse]),
          404: errorResponse,
          ...keyErrors,
        },
      },
    },
    async (request, reply) => {
      const snapshot = await snapshotFor(principalOf(request), request.query, snapshots);
      const context = request.body?.context ?? {};
      // The results depend on the context as much as on the flags, and providers send their last
      // ETag after a context change too: the tag covers both.
      const digest = hash('sha1', `${snapshot.environmentId}\n${JSON.stringify(context)}`, 'base64url');
      const etag = `"${snapshot.version}-${digest}"`;
      reply.header('etag', etag).header('cache-control', 'private, no-cache');
      if (etagMatches(request.headers['if-none-match'], etag))
        // Nothing, not null: null would be serialized as a 4-byte body a 304 must not have.
        return reply.code(304).send(undefined as unknown as null);
      const keys = snapshot.flagKeys;
      let json = '{"flags":[';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        json += `${i === 0 ? '' : ','}${encoder.ofrepJson(key, evaluate(snapshot.compiled, key, context))}`;
      }
      counted.inc(keys.length);
      return sendJson(reply, `${json}]}`);
    },
  );
}

/**
 * fetch() sends a string body as text/plain unless told otherwise, and OFREP providers do not always
 * say (the web provider's polls with If-None-Match do not): on these routes such a body is read as the
 * JSON it is, by the app's JSON parser.
 */
async function textAsJson(request: FastifyRequest): Promise<void> {
  const type = request.headers['content-type'];
  if (type !== undefined && /^text\/plain\s*(;|$)/i.test(type))
    request.headers['content-type'] = 'application/json';
}

/**
 * A body that is not JSON, or not `{ context?: object }`, is answered in OFREP's shape (400 with
 * PARSE_ERROR or INVALID_CONTEXT); every other error goes on to the app's error handler.
 */
function ofrepRequestErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  let errorCode: ErrorCode;
  let errorDetails: string;
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    errorCode = ErrorCode.ParseError;
    errorDetails = 'the request body is not JSON';
  } else if (hasZodFastifySchemaValidationErrors(error) && error.validationContext === 'body') {
    const issue = error.validation[0];
    const path = issue?.instancePath.replace(/^\//, '').replaceAll('/', '.') ?? '';
    errorCode = path.startsWith('context') ? ErrorCode.InvalidContext : ErrorCode.ParseError;
    errorDetails = `body${path === '' ? '' : `.${path}`}: ${issue?.message ?? 'invalid'}`;
  } else {
    throw error;
  }
  const key = (request.params as { key?: string } | undefined)?.key;
  reply.code(400).send(key === undefined ? { errorCode, errorDetails } : { key, errorCode, errorDetails });
}
