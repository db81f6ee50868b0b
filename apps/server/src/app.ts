import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ChangeBus } from './change-bus.js';
import type { Config } from './config.js';
import { type Database, openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrations.js';
import type { Executor } from './db/store-helpers.js';
import { registerAlertRoutes } from './features/alerts/alert-routes.js';
import { AlertService } from './features/alerts/alert-service.js';
import { SqlAlertStore } from './features/alerts/sql-alert-store.js';
import { registerApiKeyRoutes } from './features/api-keys/api-key-routes.js';
import { ApiKeyService } from './features/api-keys/api-key-service.js';
import { SqlApiKeyStore } from './features/api-keys/sql-api-key-store.js';
import { registerAuditRoutes } from './features/audit/audit-routes.js';
import { SqlAuditStore } from './features/audit/sql-audit-store.js';
import { registerDashboardRoutes } from './features/dashboard/dashboard-routes.js';
import { registerLocalAdminKeyRoute } from './features/dashboard/local-admin-key-routes.js';
import { registerEvaluationRoutes } from './features/evaluation/evaluation-routes.js';
import { SnapshotService } from './features/evaluation/snapshot-service.js';
import { registerEventRoutes } from './features/events/event-routes.js';
import { EventService } from './features/events/event-service.js';
import { registerPriceRoutes } from './features/events/price-routes.js';
import { PriceService } from './features/events/price-service.js';
import { SqlEventStore } from './features/events/sql-event-store.js';
import { SqlPriceStore } from './features/events/sql-price-store.js';
import { registerExperimentRoutes } from './features/experiments/experiment-routes.js';
import { ExperimentService } from './features/experiments/experiment-service.js';
import { SqlPolicyStore } from './features/experiments/sql-policy-store.js';
import { registerFlagRoutes } from './features/flags/flag-routes.js';
import { FlagService } from './features/flags/flag-service.js';
import { SqlFlagStore } from './features/flags/sql-flag-store.js';
import { registerGatewayRoutes } from './features/gateway/gateway-routes.js';
import { GatewayService } from './features/gateway/gateway-service.js';
import { GenerationRecorder } from './features/gateway/generation-recorder.js';
import { registerProjectRoutes } from './features/projects/project-routes.js';
import { ProjectService } from './features/projects/project-service.js';
import { SqlProjectStore } from './features/projects/sql-project-store.js';
import type { Notifier } from './features/rollouts/notifier.js';
import { registerRolloutRoutes } from './features/rollouts/rollout-routes.js';
import { RolloutScheduler } from './features/rollouts/rollout-scheduler.js';
import { RolloutService } from './features/rollouts/rollout-service.js';
import { SchedulerLeadership } from './features/rollouts/scheduler-leadership.js';
import { SqlRolloutStore } from './features/rollouts/sql-rollout-store.js';
import { registerScheduleRoutes } from './features/schedules/schedule-routes.js';
import { ScheduleService } from './features/schedules/schedule-service.js';
import { SqlScheduleStore } from './features/schedules/sql-schedule-store.js';
import { registerSegmentRoutes } from './features/segments/segment-routes.js';
import { SegmentService } from './features/segments/segment-service.js';
import { SqlSegmentStore } from './features/segments/sql-segment-store.js';
import { StreamHub } from './features/stream/stream-hub.js';
import { registerStreamRoutes } from './features/stream/stream-routes.js';
import { SqlWebhookStore } from './features/webhooks/sql-webhook-store.js';
import { registerWebhookRoutes } from './features/webhooks/webhook-routes.js';
import { WebhookSecretBox } from './features/webhooks/webhook-secret-box.js';
import { WebhookService } from './features/webhooks/webhook-service.js';
import { authenticateFirst } from './http/auth.js';
import { registerCors } from './http/cors.js';
import { registerErrorHandler } from './http/error-handler.js';
import { NotFoundError } from './http/errors.js';
import { type LogStream, loggerOptions } from './http/log-redaction.js';
import { Metrics, registerMetrics } from './metrics.js';
import {
  countGenerations,
  countingNotifier,
  ingestObserver,
  registerOperatorGauges,
} from './operator-metrics.js';
import { ReplicaSync } from './replica-sync.js';
import type { ServiceContext } from './service-context.js';

/** What tests and `switchboard start` get back: the HTTP app, the services, and how to stop. */
export interface App {
  http: FastifyInstance;
  config: Config;
  database: Database;
  services: {
    projects: ProjectService;
    flags: FlagService;
    segments: SegmentService;
    keys: ApiKeyService;
    audit: SqlAuditStore;
    snapshots: SnapshotService;
    streams: StreamHub;
    events: EventService;
    prices: PriceService;
    experiments: ExperimentService;
    rollouts: RolloutService;
    /** Ticks on `rolloutIntervalMs` once the app listens; tests call `tick()` with their clock. */
    rolloutScheduler: RolloutScheduler;
    gateway: GatewayService;
    webhooks: WebhookService;
    alerts: AlertService;
    schedules: ScheduleService;
  };
  bus: ChangeBus;
  metrics: Metrics;
  /** The admin key created on this start when the store had none (shown once). */
  bootstrapAdminKey: string | undefined;
  /**
   * Stops gracefully, in this order: the rollout scheduler (a tick under way finishes); SDK streams
   * are ended (their SDKs reconnect, to another replica when given several URLs); no new request is
   * taken (new connections are refused, a request on an open connection gets 503 with
   * `Connection: close`); in-flight requests finish within `shutdownGraceMs`; the generations and
   * event batches they started are written; workers stop; the store closes.
   */
  close(): Promise<void>;
}

/** Options for tests: a store other than the configured one, a controlled clock. */
export interface AppOptions {
  database?: Database;
  clock?: () => Date;
  /** How long `close()` lets in-flight requests finish before closing their connections (default 5 s). */
  shutdownGraceMs?: number;
  /** How often the workers run once the app listens (0: never; tests call them themselves). */
  workerIntervalsMs?: Partial<WorkerIntervals>;
  /** Where rollout decisions are notified (default: nowhere). */
  rolloutNotifier?: Notifier;
  /** Where the log goes instead of stdout (tests read it to prove no key is logged). */
  logStream?: LogStream;
}

/** How often each background worker runs, in ms. */
export interface WorkerIntervals {
  /** Webhook deliveries due (first attempts and retries). */
  webhooks: number;
  /** Alert rules' evaluation. */
  alerts: number;
  /** Scheduled changes due. */
  schedules: number;
}

const SHUTDOWN_GRACE_MS = 5_000;
const WORKER_INTERVALS_MS: WorkerIntervals = { webhooks: 1_000, alerts: 60_000, schedules: 1_000 };

/**
 * The composition root: opens the store, migrates it, creates the default project (and, on an empty
 * store, the local admin key), and wires every slice into one Fastify app. Tests call it in-process;
 * `switchboard start` calls it and listens.
 *
 * @example
 * const app = await createApp(loadConfig());
 * await app.http.listen({ port: app.config.port, host: app.config.host });
 */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const database =
    options.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  await migrateToLatest(database.db as never, database.dialect);

  // Redis when configured; it connects at the end, once the app is built (see replicas.start below).
  const replicas = new ReplicaSync(config, database);
  const bus = replicas.bus;
  const audit = new SqlAuditStore(database.db);
  const ctx: ServiceContext = { database, audit, bus, clock: options.clock ?? (() => new Date()) };
  const projects = new ProjectService(ctx, new SqlProjectStore(database.db));
  const keys = new ApiKeyService(ctx, new SqlApiKeyStore(database.db), projects);
  const segmentKeys = async (projectId: string, tx: Executor = database.db) => {
    const query = tx.selectFrom('segments').select('key').where('project_id', '=', projectId);
    // PostgreSQL: hold the segments until the flag change commits, so that a concurrent segment
    // delete waits and then sees the new reference (SQLite runs one transaction at a time).
    const rows = await (database.dialect === 'postgres' ? query.forShare() : query).execute();
    return new Set(rows.map((r) => r.key));
  };
  const flags = new FlagService(ctx, new SqlFlagStore(database.db), projects, segmentKeys);
  const segmentStore = new SqlSegmentStore(database.db);
  const segments = new SegmentService(ctx, segmentStore, projects, new SqlFlagStore(database.db));
  const snapshots = new SnapshotService(
    ctx,
    {
      projects: new SqlProjectStore(database.db),
      flags: new SqlFlagStore(database.db),
      segments: segmentStore,
    },
    projects,
  );

  await projects.ensureDefault();
  const bootstrapAdminKey = config.bootstrapAdminKey
    ? await keys.bootstrapAdminKey(config.dataDir)
    : undefined;

  const http = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream),
    bodyLimit: config.bodyLimitBytes,
    // Off by default: a forwarding header is whatever the caller wrote unless a trusted proxy set it.
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    routerOptions: { maxParamLength: 500 },
    // A line per request costs more than the request on the evaluation endpoints: only when debugging.
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
  });
  http.setValidatorCompiler(validatorCompiler);
  http.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(http);
  // CORS first: a browser must be able to read a refusal from the routes it may call.
  await registerCors(http, config.corsOrigins);
  authenticateFirst(http);
  const metrics = new Metrics();
  registerMetrics(http, metrics);
  // Once closing, every answer ends its connection: a keep-alive connection that goes idle after the
  // close began would otherwise hold the close open until the grace runs out.
  let shuttingDown = false;
  http.addHook('onSend', (_request, reply, payload, done) => {
    if (shuttingDown) reply.header('connection', 'close');
    done(null, payload);
  });

  await http.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Switchboard',
        description:
          'Feature flags and guarded rollouts for LLM changes. Authenticate with `Authorization: Bearer <key>`.',
        version: '0.1.0',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await http.register(fastifySwaggerUi, { routePrefix: '/docs' });

  http.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  http.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await database.db.selectFrom('projects').select('id').limit(1).execute();
      // Redis down is reported, not a reason to leave the rotation: replicas keep serving and catch up
      // on each other's changes from the store.
      return { status: 'ready', store: database.dialect, ...replicas.status() };
    } catch {
      reply.code(503);
      return { status: 'unavailable', store: database.dialect, ...replicas.status() };
    }
  });

  registerProjectRoutes(http, projects, keys);
  registerFlagRoutes(http, flags, keys);
  registerSegmentRoutes(http, segments, keys);
  registerApiKeyRoutes(http, keys);
  registerAuditRoutes(http, audit, keys);
  await registerEvaluationRoutes(http, {
    snapshots,
    keys,
    metrics,
    clientRateLimitPerMinute: config.clientRateLimitPerMinute,
  });
  const streams = new StreamHub(snapshots, bus, metrics, config.streamHeartbeatMs);
  registerStreamRoutes(http, streams, snapshots, keys);
  const prices = new PriceService(ctx, new SqlPriceStore(database.db));
  const events = new EventService(ctx, new SqlEventStore(database.db), prices, {
    retentionDays: config.eventRetentionDays,
    onPurgeError: (error) => http.log.error({ err: error }, 'purging expired events failed'),
    observer: ingestObserver(metrics),
  });
  registerEventRoutes(http, { events, snapshots, keys, bodyLimitBytes: config.bodyLimitBytes });
  registerPriceRoutes(http, prices, keys);
  const experiments = new ExperimentService(ctx, new SqlPolicyStore(database), projects, flags, events);
  registerExperimentRoutes(http, experiments, keys);
  const webhooks = new WebhookService(ctx, new SqlWebhookStore(database), projects, {
    secrets: new WebhookSecretBox(config.encryptionKey?.reveal()),
    log: http.log,
    onAttempt: (outcome) => metrics.webhookAttempts.inc({ outcome }),
  });
  registerWebhookRoutes(http, webhooks, keys);
  const rolloutStore = new SqlRolloutStore(database.db);
  const rollouts = new RolloutService(ctx, rolloutStore, {
    projects,
    flags,
    segments,
    policies: new SqlPolicyStore(database),
    events,
    notifier: countingNotifier(metrics, options.rolloutNotifier ?? webhooks.rolloutNotifier),
  });
  registerRolloutRoutes(http, rollouts, keys);
  // The kill switch, by whatever route: SDKs drain the flag's generations, its live rollout ends.
  flags.onKill((kill) => {
    rollouts.coordinator
      .afterKill(kill)
      .catch((error: unknown) =>
        http.log.error({ err: error, flag: kill.flag }, 'the rollback after a kill failed'),
      );
  });
  const rolloutScheduler = new RolloutScheduler(rollouts, rolloutStore, new SchedulerLeadership(database), {
    onError: (plan, error) =>
      http.log.error({ err: error, plan }, 'the rollout scheduler failed to evaluate'),
  });
  http.addHook('onListen', async () => rolloutScheduler.start(config.rolloutIntervalMs));
  const alerts = new AlertService(ctx, new SqlAlertStore(database.db), {
    projects,
    flags,
    experiments,
    notifier: webhooks,
    log: http.log,
  });
  // A `rollback` alert rolls back the flag's live rollout; with none, the alert disables the flag.
  alerts.setRollback(async (flag, environment, reason, { project, ruleId }) => {
    try {
      await rollouts.rollBack({ project, flag, environment }, reason, `alert:${ruleId}`);
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  });
  registerAlertRoutes(http, alerts, keys);
  const schedules = new ScheduleService(ctx, new SqlScheduleStore(database), {
    projects,
    flags,
    notifier: webhooks,
    log: http.log,
  });
  registerScheduleRoutes(http, schedules, keys);
  const gateway = new GatewayService({
    providers: config.providers,
    attemptTimeoutMs: config.gatewayAttemptTimeoutMs,
    breaker: {
      failureThreshold: config.gatewayBreakerThreshold,
      cooldownMs: config.gatewayBreakerCooldownMs,
    },
    shadowMaxConcurrency: config.gatewayShadowMaxConcurrency,
    recorder: new GenerationRecorder(
      (scope, key, batch) => {
        countGenerations(metrics, batch);
        return events.ingest(scope, key, batch);
      },
      {
        onProblem: (message, detail) => http.log.warn({ detail }, message),
      },
    ),
    clock: ctx.clock,
  });
  registerOperatorGauges(metrics, {
    database,
    bus,
    events,
    gateway,
    providers: ['simulated', ...config.providers.map((provider) => provider.name)],
  });
  registerGatewayRoutes(http, {
    gateway,
    snapshots,
    keys,
    bodyLimitBytes: config.gatewayBodyLimitBytes,
  });
  registerLocalAdminKeyRoute(http, { dataDir: config.dataDir, keys });
  await registerDashboardRoutes(http);

  // The workers run in a server that listens; an app used in-process (tests) runs them by hand.
  const intervals = { ...WORKER_INTERVALS_MS, ...options.workerIntervalsMs };
  http.addHook('onListen', async () => {
    webhooks.start(intervals.webhooks);
    alerts.start(intervals.alerts);
    schedules.start(intervals.schedules);
  });

  await http.ready();
  await replicas.start({ log: http.log, metrics });

  return {
    http,
    config,
    database,
    services: {
      projects,
      flags,
      segments,
      keys,
      audit,
      snapshots,
      streams,
      events,
      prices,
      experiments,
      rollouts,
      rolloutScheduler,
      gateway,
      webhooks,
      alerts,
      schedules,
    },
    bus,
    metrics,
    bootstrapAdminKey,
    async close() {
      // A tick under way finishes (its transaction commits or not) before anything closes.
      await rolloutScheduler.stop();
      shuttingDown = true;
      // Streams never end on their own: end them first, or closing would wait for them.
      streams.close();
      const closing = http.close();
      // Idle keep-alive connections, and ones opened without a request yet, would hold the close open.
      http.server.closeIdleConnections();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        closing,
        new Promise((resolve) => {
          timer = setTimeout(resolve, options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS);
        }),
      ]);
      clearTimeout(timer);
      http.server.closeAllConnections();
      await closing;
      // Generations of the last requests are written before the store closes.
      await gateway.close();
      // And their event batches: a handler still running when its connection was cut (the grace ran
      // out) may be writing one.
      await events.flush();
      // Scheduled changes and alerts under way finish (and queue their webhooks) before deliveries stop.
      await schedules.close();
      await alerts.close();
      await webhooks.close();
      keys.close();
      snapshots.close();
      events.close();
      await replicas.close();
      if (options.database === undefined) await database.close();
    },
  };
}

/** Trusts the first `hops` proxies from the server (a load balancer, then a CDN...), as proxy-addr counts them. */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}
