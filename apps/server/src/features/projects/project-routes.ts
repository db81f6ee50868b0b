import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, requireKey } from '../../http/auth.js';
import { errorResponse, slug } from '../../http/schemas.js';
import { storableText } from '../../http/storable.js';
import { type ApiKeyService, actorOf } from '../api-keys/api-key-service.js';
import type { ProjectService } from './project-service.js';

const projectView = z.object({ id: z.string(), key: z.string(), name: z.string(), createdAt: z.string() });
const environmentView = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  version: z.number(),
  createdAt: z.string(),
});
const errors = {
  400: errorResponse,
  401: errorResponse,
  403: errorResponse,
  404: errorResponse,
  409: errorResponse,
};

/** Projects and their environments. */
export function registerProjectRoutes(
  app: FastifyInstance,
  projects: ProjectService,
  keys: ApiKeyService,
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = requireKey(keys, 'admin');
  const tags = ['projects'];
  const security = [{ apiKey: [] }];
  const toEnvironment = (e: {
    id: string;
    key: string;
    name: string;
    version: number;
    createdAt: string;
  }) => ({
    id: e.id,
    key: e.key,
    name: e.name,
    version: e.version,
    createdAt: e.createdAt,
  });

  r.get(
    '/api/v1/projects',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'List projects',
        response: { 200: z.object({ items: z.array(projectView) }), ...errors },
      },
    },
    async () => ({ items: await projects.listProjects() }),
  );

  r.post(
    '/api/v1/projects',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Create a project (with development, staging and production unless environments are given)',
        body: z
          .object({
            key: slug,
            name: storableText({ min: 1, max: 200 }).optional(),
            environments: z.array(slug).min(1).max(20).optional(),
          })
          .strict(),
        response: { 201: projectView.extend({ environments: z.array(environmentView) }), ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (body.environments !== undefined && new Set(body.environments).size !== body.environments.length) {
        reply.code(400);
        return {
          error: 'VALIDATION_FAILED',
          message: 'body.environments: must not repeat a key',
          field: 'body.environments',
        } as never;
      }
      const { project, environments } = await projects.createProject(body, actorOf(principalOf(request)));
      reply.code(201);
      return { ...project, environments: environments.map(toEnvironment) };
    },
  );

  r.get(
    '/api/v1/projects/:project/environments',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "List a project's environments",
        params: z.object({ project: slug }),
        response: { 200: z.object({ items: z.array(environmentView) }), ...errors },
      },
    },
    async (request) => ({
      items: (await projects.listEnvironments(request.params.project)).map(toEnvironment),
    }),
  );

  r.post(
    '/api/v1/projects/:project/environments',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Add an environment to a project (every flag starts disabled in it)',
        params: z.object({ project: slug }),
        body: z.object({ key: slug, name: storableText({ min: 1, max: 200 }).optional() }).strict(),
        response: { 201: environmentView, ...errors },
      },
    },
    async (request, reply) => {
      const environment = await projects.createEnvironment(
        request.params.project,
        request.body,
        actorOf(principalOf(request)),
      );
      reply.code(201);
      return toEnvironment(environment);
    },
  );
}
