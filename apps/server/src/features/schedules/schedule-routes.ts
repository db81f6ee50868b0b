import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, requireKey } from '../../http/auth.js';
import { errorResponse, projectQuery, slug } from '../../http/schemas.js';
import type { ApiKeyService } from '../api-keys/api-key-service.js';
import { actorOf } from '../api-keys/api-key-service.js';
import { scheduleCreateSchema, scheduleListQuerySchema, scheduleViewSchema } from './schedule-schemas.js';
import type { ScheduleService } from './schedule-service.js';
import { SCHEDULE_STATUSES } from './schedule-store.js';

const flagEnvironmentParams = z.object({ key: slug, env: slug });
const errors = {
  400: errorResponse,
  401: errorResponse,
  403: errorResponse,
  404: errorResponse,
  409: errorResponse,
};

const SEMANTICS =
  'At `at` (checked every second), the change is applied to the configuration as it is then, whatever was edited since: ' +
  'it sets `enabled` or `fallthrough` and keeps every other edit; with nothing left to change, it writes nothing. ' +
  'It is audited as `<who scheduled it> via schedule:<id>`. A change the flag no longer accepts fails, with the reason, ' +
  'and is announced to webhooks (schedule.failed). Each change runs once, whatever the number of replicas.';

/** Scheduled changes of a flag in one environment: enable, disable, or a new fallthrough at a set time. */
export function registerScheduleRoutes(
  app: FastifyInstance,
  schedules: ScheduleService,
  keys: ApiKeyService,
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = requireKey(keys, 'admin');
  const tags = ['schedules'];
  const security = [{ apiKey: [] }];

  r.get(
    '/api/v1/schedules',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "A project's scheduled changes, by due time",
        querystring: scheduleListQuerySchema,
        response: { 200: z.object({ items: z.array(scheduleViewSchema) }), ...errors },
      },
    },
    async (request) => ({
      items: await schedules.list(request.query.project, { status: request.query.status }),
    }),
  );

  r.get(
    '/api/v1/flags/:key/environments/:env/schedules',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "A flag's scheduled changes in one environment, by due time",
        params: flagEnvironmentParams,
        querystring: projectQuery.extend({ status: z.enum(SCHEDULE_STATUSES).optional() }),
        response: { 200: z.object({ items: z.array(scheduleViewSchema) }), ...errors },
      },
    },
    async (request) => ({
      items: await schedules.list(request.query.project, {
        flag: request.params.key,
        environment: request.params.env,
        status: request.query.status,
      }),
    }),
  );

  r.post(
    '/api/v1/flags/:key/environments/:env/schedules',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Schedule turning a flag on or off, or a new fallthrough (split), at a set time',
        description: SEMANTICS,
        params: flagEnvironmentParams,
        querystring: projectQuery,
        body: scheduleCreateSchema,
        response: { 201: scheduleViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const schedule = await schedules.create(
        request.query.project,
        request.params.key,
        request.params.env,
        request.body,
        actorOf(principalOf(request)),
      );
      reply.code(201);
      return schedule;
    },
  );

  r.delete(
    '/api/v1/flags/:key/environments/:env/schedules/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Cancel a scheduled change that has not run yet',
        params: flagEnvironmentParams.extend({ id: z.uuid() }),
        querystring: projectQuery,
        response: { 200: scheduleViewSchema, ...errors },
      },
    },
    async (request) =>
      schedules.cancel(
        request.query.project,
        request.params.key,
        request.params.env,
        request.params.id,
        actorOf(principalOf(request)),
      ),
  );
}
