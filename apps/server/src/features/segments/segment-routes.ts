import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, requireKey } from '../../http/auth.js';
import { errorResponse, expectedVersion, projectQuery, slug } from '../../http/schemas.js';
import type { ApiKeyService } from '../api-keys/api-key-service.js';
import { actorOf } from '../api-keys/api-key-service.js';
import { versionBodySchema } from '../flags/flag-schemas.js';
import {
  segmentCreateSchema,
  segmentInUseResponse,
  segmentPatchSchema,
  segmentViewSchema,
} from './segment-schemas.js';
import type { SegmentService } from './segment-service.js';

const segmentParams = z.object({ key: slug });
const errors = {
  400: errorResponse,
  401: errorResponse,
  403: errorResponse,
  404: errorResponse,
  409: errorResponse,
  428: errorResponse,
};

function versioned<T extends { version: number }>(
  reply: { header(name: string, value: string): unknown },
  body: T,
): T {
  reply.header('etag', `"${body.version}"`);
  return body;
}

/** Segments of a project: list, create, read, edit, delete. */
export function registerSegmentRoutes(
  app: FastifyInstance,
  segments: SegmentService,
  keys: ApiKeyService,
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = requireKey(keys, 'admin');
  const tags = ['segments'];
  const security = [{ apiKey: [] }];

  r.get(
    '/api/v1/segments',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "List a project's segments, by key",
        querystring: projectQuery,
        response: { 200: z.object({ items: z.array(segmentViewSchema) }), ...errors },
      },
    },
    async (request) => ({ items: await segments.list(request.query.project) }),
  );

  r.post(
    '/api/v1/segments',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Create a segment: included and excluded unit ids, and clauses',
        querystring: projectQuery,
        body: segmentCreateSchema,
        response: { 201: segmentViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const segment = await segments.create(
        request.query.project,
        request.body,
        actorOf(principalOf(request)),
      );
      reply.code(201);
      return versioned(reply, segment);
    },
  );

  r.get(
    '/api/v1/segments/:key',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'A segment',
        params: segmentParams,
        querystring: projectQuery,
        response: { 200: segmentViewSchema, ...errors },
      },
    },
    async (request, reply) => versioned(reply, await segments.get(request.query.project, request.params.key)),
  );

  r.patch(
    '/api/v1/segments/:key',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "Edit a segment's name, description, unit ids or clauses",
        description:
          'Lists given replace the stored ones. Send the version read (If-Match or "version"); a stale version gets 409 with the current one.',
        params: segmentParams,
        querystring: projectQuery,
        body: segmentPatchSchema,
        response: { 200: segmentViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { version, ...patch } = request.body;
      const expected = expectedVersion(request.headers, version);
      const segment = await segments.update(
        request.query.project,
        request.params.key,
        patch,
        expected,
        actorOf(principalOf(request)),
      );
      return versioned(reply, segment);
    },
  );

  r.delete(
    '/api/v1/segments/:key',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Delete a segment',
        description:
          'Refused (409) while a flag rule in any environment, or another segment, uses it. Send the version read (If-Match or "version").',
        params: segmentParams,
        querystring: projectQuery,
        body: versionBodySchema.nullish(),
        response: { 204: z.null().describe('Deleted'), ...errors, 409: segmentInUseResponse },
      },
    },
    async (request, reply) => {
      const expected = expectedVersion(request.headers, request.body?.version);
      await segments.remove(
        request.query.project,
        request.params.key,
        expected,
        actorOf(principalOf(request)),
      );
      reply.code(204);
      return null;
    },
  );
}
