import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError } from './errors.js';

/**
 * The one place errors become HTTP responses: schema failures → 400 naming the field, domain errors
 * → their status, Fastify's own client errors (bad JSON, too large, wrong content type) → their 4xx,
 * anything else → 500 without internals.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issue = error.validation[0];
      const where = error.validationContext ?? 'body';
      const path = issue?.instancePath ? issue.instancePath.replace(/^\//, '').replaceAll('/', '.') : '';
      const field = path === '' ? where : `${where}.${path}`;
      return reply.code(400).send({
        error: 'VALIDATION_FAILED',
        message: `${field}: ${issue?.message ?? 'invalid'}`,
        field,
      });
    }
    if (error instanceof DomainError) {
      return reply.code(error.status).send({ error: error.code, message: error.message, ...error.details });
    }
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send({ error: error.code ?? 'BAD_REQUEST', message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'INTERNAL', message: 'the server failed to handle this request' });
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send({ error: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
}
