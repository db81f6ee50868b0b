import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, requireKey } from '../../http/auth.js';
import { errorResponse, projectQuery, slug } from '../../http/schemas.js';
import type { ApiKeyService } from '../api-keys/api-key-service.js';
import { actorOf } from '../api-keys/api-key-service.js';
import {
  planActionSchema,
  planCreateSchema,
  planListQuerySchema,
  planViewSchema,
  timelineEntrySchema,
  timelineQuerySchema,
} from './rollout-schemas.js';
import { type PlanRef, presetViews, type RolloutService } from './rollout-service.js';
import { PlanStatus } from './rollout-store.js';

const errors = {
  400: errorResponse,
  401: errorResponse,
  403: errorResponse,
  404: errorResponse,
  409: errorResponse,
};
const flagEnvironment = z.object({ key: slug, env: slug });
const planId = z.object({ id: z.uuid() });
const ACTIONS = ['pause', 'resume', 'advance', 'rollback'] as const;
type Action = (typeof ACTIONS)[number];

const SUMMARIES: Record<Action, string> = {
  pause: 'Pause the rollout: it stays in its stage, the split as it is, until resumed',
  resume: 'Resume a paused rollout (its stage is served again if the flag was changed meanwhile)',
  advance: 'Advance to the next stage now, whatever the verdict',
  rollback:
    "Roll back now: the control is served to everyone, SDKs drain the candidate's in-flight generations, the reason is recorded and notified",
};

function statusesOf(status: string | string[] | undefined): PlanStatus[] | undefined {
  if (status === undefined) return undefined;
  const list = Array.isArray(status) ? status : [status];
  return list.flatMap((s) =>
    s === 'live'
      ? [PlanStatus.Active, PlanStatus.Paused]
      : (Object.values(PlanStatus) as string[]).includes(s)
        ? [s as PlanStatus]
        : [],
  );
}

/**
 * Rollout plans: create one for a flag in an environment (from the change type's preset or explicit
 * stages), read it and its timeline, and the manual controls (pause, resume, advance, roll back), each
 * audited. A flag's plan is addressed by flag and environment (its live plan, else its latest) or by id.
 */
export function registerRolloutRoutes(
  app: FastifyInstance,
  rollouts: RolloutService,
  keys: ApiKeyService,
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = requireKey(keys, 'admin');
  const tags = ['rollouts'];
  const security = [{ apiKey: [] }];
  const reason = (body: { reason?: string | undefined } | null | undefined) => body?.reason;

  r.get(
    '/api/v1/rollouts/presets',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "The stages each change type starts from (edit them into a plan's stages)",
        response: { 200: z.object({ items: z.array(z.record(z.string(), z.unknown())) }), ...errors },
      },
    },
    async () => ({ items: presetViews() as unknown as Record<string, unknown>[] }),
  );

  r.get(
    '/api/v1/rollouts',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Rollout plans of a project, newest first',
        querystring: planListQuerySchema,
        response: { 200: z.object({ items: z.array(planViewSchema) }), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const items = await rollouts.list(q.project, {
        environment: q.environment,
        flag: q.flag,
        statuses: statusesOf(q.status),
        limit: q.limit,
      });
      return { items };
    },
  );

  r.get(
    '/api/v1/rollouts/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'A rollout plan',
        params: planId,
        response: { 200: planViewSchema, ...errors },
      },
    },
    async (request) => rollouts.get({ id: request.params.id }),
  );

  r.get(
    '/api/v1/rollouts/:id/timeline',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "A plan's timeline: every decision with its figures, oldest first",
        params: planId,
        querystring: timelineQuerySchema.omit({ project: true }),
        response: { 200: z.object({ items: z.array(timelineEntrySchema) }), ...errors },
      },
    },
    async (request) => ({
      items: (await rollouts.timeline(
        { id: request.params.id },
        { afterId: request.query.after, limit: request.query.limit },
      )) as unknown as z.infer<typeof timelineEntrySchema>[],
    }),
  );

  const byFlag = (project: string, params: { key: string; env: string }): PlanRef => ({
    project,
    flag: params.key,
    environment: params.env,
  });

  r.post(
    '/api/v1/flags/:key/environments/:env/rollout',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Start a rollout of a flag in one environment',
        description:
          "From the preset of the flag's change type (or `preset`), optionally after a shadow and a targeting stage, or from explicit `stages`. " +
          "Serves the first stage at once through the flag's configuration (versioned, audited, streamed to SDKs). 409 while another rollout of the flag is live there, or when the flag is off.",
        params: flagEnvironment,
        querystring: projectQuery,
        body: planCreateSchema,
        response: { 201: planViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { key, env } = request.params;
      const plan = await rollouts.create(
        request.query.project,
        key,
        env,
        request.body,
        actorOf(principalOf(request)),
      );
      reply.code(201);
      return plan;
    },
  );

  r.get(
    '/api/v1/flags/:key/environments/:env/rollout',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "A flag's live rollout in one environment (else its latest)",
        params: flagEnvironment,
        querystring: projectQuery,
        response: { 200: planViewSchema, ...errors },
      },
    },
    async (request) => rollouts.get(byFlag(request.query.project, request.params)),
  );

  r.get(
    '/api/v1/flags/:key/environments/:env/rollout/timeline',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: "The timeline of a flag's live (else latest) rollout in one environment",
        params: flagEnvironment,
        querystring: timelineQuerySchema,
        response: { 200: z.object({ items: z.array(timelineEntrySchema) }), ...errors },
      },
    },
    async (request) => ({
      items: (await rollouts.timeline(byFlag(request.query.project, request.params), {
        afterId: request.query.after,
        limit: request.query.limit,
      })) as unknown as z.infer<typeof timelineEntrySchema>[],
    }),
  );

  for (const action of ACTIONS) {
    const run = (ref: PlanRef, actor: string, why: string | undefined) => {
      switch (action) {
        case 'pause':
          return rollouts.pause(ref, actor, why);
        case 'resume':
          return rollouts.resume(ref, actor, why);
        case 'advance':
          return rollouts.advance(ref, actor, why);
        case 'rollback':
          return rollouts.rollBack(ref, why ?? `rolled back by ${actor}`, actor);
      }
    };
    r.post(
      `/api/v1/flags/:key/environments/:env/rollout/${action}`,
      {
        preHandler: admin,
        schema: {
          tags,
          security,
          summary: SUMMARIES[action],
          params: flagEnvironment,
          querystring: projectQuery,
          body: planActionSchema.nullish(),
          response: { 200: planViewSchema, ...errors },
        },
      },
      async (request) =>
        run(
          byFlag(request.query.project, request.params),
          actorOf(principalOf(request)),
          reason(request.body),
        ),
    );
    r.post(
      `/api/v1/rollouts/:id/${action}`,
      {
        preHandler: admin,
        schema: {
          tags,
          security,
          summary: SUMMARIES[action],
          params: planId,
          body: planActionSchema.nullish(),
          response: { 200: planViewSchema, ...errors },
        },
      },
      async (request) => run({ id: request.params.id }, actorOf(principalOf(request)), reason(request.body)),
    );
  }
}
