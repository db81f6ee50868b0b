import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, requireKey } from '../../http/auth.js';
import { DomainError } from '../../http/errors.js';
import type { ApiKeyService } from '../api-keys/api-key-service.js';
import { snapshotFor } from '../evaluation/evaluation-scope.js';
import type { SnapshotService } from '../evaluation/snapshot-service.js';
import {
  anthropicErrorSchema,
  errorBody,
  GATEWAY_ERROR_STATUSES,
  type GatewayDialect,
  GatewayError,
  gatewayErrorBody,
  openAiErrorSchema,
} from './gateway-errors.js';
import { anthropicMessagesBody, gatewayHeaders, gatewayQuery, openAiChatBody } from './gateway-schemas.js';
import type { GatewayAnswer, GatewayService } from './gateway-service.js';

/** What the gateway routes need. */
export interface GatewayRouteDeps {
  gateway: GatewayService;
  snapshots: SnapshotService;
  keys: ApiKeyService;
  /** Largest request body: prompts are larger than the API's other bodies. */
  bodyLimitBytes: number;
}

const security = [{ apiKey: [] }];

const ROUTES = {
  openai: {
    url: '/v1/chat/completions',
    body: openAiChatBody,
    errorSchema: openAiErrorSchema,
    summary: 'OpenAI-compatible chat completions, routed by an ai-config flag',
    ok: z
      .looseObject({ id: z.string(), object: z.string(), model: z.string(), choices: z.array(z.unknown()) })
      .describe('A chat.completion; with stream: true, a text/event-stream of chat.completion.chunk events'),
  },
  anthropic: {
    url: '/v1/messages',
    body: anthropicMessagesBody,
    errorSchema: anthropicErrorSchema,
    summary: 'Anthropic-compatible messages, routed by an ai-config flag',
    ok: z
      .looseObject({ id: z.string(), type: z.string(), model: z.string(), content: z.array(z.unknown()) })
      .describe('A message; with stream: true, a text/event-stream of message events'),
  },
} as const;

const DESCRIPTION =
  'Point an OpenAI or Anthropic client at Switchboard (base URL `<server>/v1` for openai, `<server>` for anthropic) with a server key as its API key. Name the flag as `model: "flag:<key>"` or with `x-switchboard-flag`; the unit is `user` / `metadata.user_id` or `x-switchboard-user`. The assigned variant sets the model, prepends its messages and sets its params (over the request’s, unless `x-switchboard-precedence: request`), and its fallback chain serves the request. A disabled flag answers 503 with Retry-After.';

/**
 * The gateway: `POST /v1/chat/completions` (OpenAI) and `POST /v1/messages` (Anthropic). Server keys
 * use their environment; admin keys name one (`x-switchboard-environment`, or `?environment=`); client
 * keys are refused, since the gateway spends the operator's provider keys. Every error, from the key
 * check to the last fallback, is answered in the protocol's own error envelope.
 */
export function registerGatewayRoutes(app: FastifyInstance, deps: GatewayRouteDeps): void {
  for (const dialect of ['openai', 'anthropic'] as const) registerRoute(app, dialect, deps);
}

function registerRoute(app: FastifyInstance, dialect: GatewayDialect, deps: GatewayRouteDeps): void {
  const route = ROUTES[dialect];
  const errors = Object.fromEntries(GATEWAY_ERROR_STATUSES.map((status) => [status, route.errorSchema]));
  app.withTypeProvider<ZodTypeProvider>().post(
    route.url,
    {
      onRequest: requireKey(deps.keys, 'server', 'admin'),
      bodyLimit: deps.bodyLimitBytes,
      // From the key check to the last fallback, errors are answered in the protocol's envelope.
      errorHandler: (error: FastifyError, request, reply) => sendError(dialect, error, request, reply),
      schema: {
        tags: ['gateway'],
        security,
        summary: route.summary,
        description: DESCRIPTION,
        headers: gatewayHeaders,
        querystring: gatewayQuery,
        body: route.body,
        response: { 200: route.ok, ...errors },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const environment = request.query.environment ?? header(request, 'x-switchboard-environment');
      if (principal.kind === 'admin' && environment === undefined) {
        throw new GatewayError(
          400,
          'environment_required',
          'an admin key serves every environment: name one with the x-switchboard-environment header (or ?environment=)',
          { param: 'x-switchboard-environment' },
        );
      }
      const project = request.query.project ?? header(request, 'x-switchboard-project');
      const scopeSnapshot = await snapshotFor(principal, { project, environment }, deps.snapshots);
      const client = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) client.abort(new Error('the client went away'));
      });
      let answer: GatewayAnswer;
      try {
        answer = await deps.gateway.handle({
          dialect,
          scope: scopeSnapshot,
          body: request.body,
          headers: request.headers,
          signal: client.signal,
        });
      } catch (error) {
        // Nobody is left to answer: not a failure of the gateway (499, as proxies log it).
        if (client.signal.aborted)
          throw new GatewayError(499, 'client_closed', 'the client closed the request');
        throw error;
      }
      const afterSent = answer.afterSent;
      if (afterSent !== undefined) {
        let called = false;
        const once = () => {
          if (called) return;
          called = true;
          afterSent();
        };
        reply.raw.once('finish', once);
        reply.raw.once('close', once);
      }
      // Sent as built (bytes or a stream), never through the documented schemas.
      return (reply as FastifyReply).code(answer.status).headers(answer.headers).send(answer.body);
    },
  );
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Every failure of a gateway route, in its protocol's error envelope. */
function sendError(
  dialect: GatewayDialect,
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const send = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    reply.code(status).headers(headers).type('application/json').send(JSON.stringify(body));
  if (error instanceof GatewayError) {
    return send(error.status, gatewayErrorBody(dialect, error), error.options.headers);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issue = error.validation[0];
    const where = error.validationContext ?? 'body';
    const path = issue?.instancePath ? issue.instancePath.replace(/^\//, '').replaceAll('/', '.') : '';
    const field = path === '' ? where : `${where}.${path}`;
    return send(
      400,
      errorBody(dialect, 400, `${field}: ${issue?.message ?? 'invalid'}`, 'invalid_request', path || where),
    );
  }
  if (error instanceof DomainError) {
    const field = typeof error.details.field === 'string' ? error.details.field : undefined;
    return send(
      error.status,
      errorBody(dialect, error.status, error.message, error.code.toLowerCase(), field),
    );
  }
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return send(
      status,
      errorBody(dialect, status, error.message, (error.code ?? 'bad_request').toLowerCase()),
    );
  }
  request.log.error({ err: error }, 'gateway request failed');
  return send(500, errorBody(dialect, 500, 'the gateway failed to handle this request', 'internal'));
}
