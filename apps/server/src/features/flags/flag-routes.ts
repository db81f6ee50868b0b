import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, requireKey } from '../../http/auth.js';
import { errorResponse, expectedVersion, projectQuery, slug } from '../../http/schemas.js';
import type { ApiKeyService } from '../api-keys/api-key-service.js';
import { actorOf } from '../api-keys/api-key-service.js';
import {
  environmentPatchSchema,
  environmentViewSchema,
  flagCreateSchema,
  flagListQuerySchema,
  flagPatchSchema,
  flagViewSchema,
  versionBodySchema,
} from './flag-schemas.js';
import type { FlagService } from './flag-service.js';

const flagParams = z.object({ key: slug });
const environmentParams = z.object({ key: slug, env: slug });
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

/** Flags: create, read, list, edit, archive, and per-environment configuration. */
export function registerFlagRoutes(app: FastifyInstance, flags: FlagService, keys: ApiKeyService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = requireKey(keys, 'admin');
  const tags = ['flags'];
  const security = [{ apiKey: [] }];

  r.get(
    '/api/v1/flags',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'List flags, with search, tags and kind filters',
        querystring: flagListQuerySchema,
        response: {
          200: z.object({ items: z.array(flagViewSchema), nextCursor: z.string().optional() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      return flags.list(q.project, {
        q: q.q,
        tags: q.tag === undefined ? undefined : Array.isArray(q.tag) ? q.tag : [q.tag],
        kind: q.kind,
        archived: q.archived,
        limit: q.limit,
        cursor: q.cursor,
      });
    },
  );

  r.post(
    '/api/v1/flags',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Create a flag (disabled in every environment)',
        querystring: projectQuery,
        body: flagCreateSchema,
        response: { 201: flagViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const flag = await flags.create(request.query.project, request.body, actorOf(principalOf(request)));
      reply.code(201);
      return versioned(reply, flag);
    },
  );

  r.get(
    '/api/v1/flags/:key',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'A flag with its configuration in every environment',
        params: flagParams,
        querystring: projectQuery,
        response: { 200: flagViewSchema, ...errors },
      },
    },
    async (request, reply) => versioned(reply, await flags.get(request.query.project, request.params.key)),
  );

  r.patch(
    '/api/v1/flags/:key',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "Edit a flag's name, description, variants, tags or change type",
        description:
          'Send the version read (If-Match or "version"); a stale version gets 409 with the current one.',
        params: flagParams,
        querystring: projectQuery,
        body: flagPatchSchema,
        response: { 200: flagViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { version, ...patch } = request.body;
      const expected = expectedVersion(request.headers, version);
      const flag = await flags.update(
        request.query.project,
        request.params.key,
        patch,
        expected,
        actorOf(principalOf(request)),
      );
      return versioned(reply, flag);
    },
  );

  for (const [action, archived] of [
    ['archive', true],
    ['restore', false],
  ] as const) {
    r.post(
      `/api/v1/flags/:key/${action}`,
      {
        preHandler: admin,
        schema: {
          tags,
          security,
          summary: archived ? 'Archive a flag (it leaves every snapshot)' : 'Restore an archived flag',
          params: flagParams,
          querystring: projectQuery,
          body: versionBodySchema.nullish(),
          response: { 200: flagViewSchema, ...errors },
        },
      },
      async (request, reply) => {
        const expected = expectedVersion(request.headers, request.body?.version);
        const flag = await flags.setArchived(
          request.query.project,
          request.params.key,
          archived,
          expected,
          actorOf(principalOf(request)),
        );
        return versioned(reply, flag);
      },
    );
  }

  r.get(
    '/api/v1/flags/:key/environments/:env',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "A flag's configuration in one environment",
        params: environmentParams,
        querystring: projectQuery,
        response: { 200: environmentViewSchema, ...errors },
      },
    },
    async (request, reply) =>
      versioned(
        reply,
        await flags.getEnvironment(request.query.project, request.params.key, request.params.env),
      ),
  );

  r.patch(
    '/api/v1/flags/:key/environments/:env',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "Change a flag's configuration in one environment",
        description:
          'Any of enabled, offVariant, targets, rules (ordered), fallthrough, prerequisites, retryAfterSeconds, shadow (ai-config flags: { variant, sampleRate } or null). Send the version read (If-Match or "version").',
        params: environmentParams,
        querystring: projectQuery,
        body: environmentPatchSchema,
        response: { 200: environmentViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { version, ...patch } = request.body;
      const expected = expectedVersion(request.headers, version);
      const config = await flags.updateEnvironment(
        request.query.project,
        request.params.key,
        request.params.env,
        patch,
        expected,
        actorOf(principalOf(request)),
      );
      return versioned(reply, config);
    },
  );

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    r.post(
      `/api/v1/flags/:key/environments/:env/${action}`,
      {
        preHandler: admin,
        schema: {
          tags,
          security,
          summary: enabled
            ? 'Turn a flag on in one environment'
            : 'Turn a flag off in one environment (the kill switch)',
          params: environmentParams,
          querystring: projectQuery,
          body: versionBodySchema.nullish(),
          response: { 200: environmentViewSchema, ...errors },
        },
      },
      async (request, reply) => {
        const expected = expectedVersion(request.headers, request.body?.version);
        const config = await flags.updateEnvironment(
          request.query.project,
          request.params.key,
          request.params.env,
          { enabled },
          expected,
          actorOf(principalOf(request)),
          enabled ? 'flag.environment.enable' : 'flag.environment.disable',
        );
        return versioned(reply, config);
      },
    );
  }
}
