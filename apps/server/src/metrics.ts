import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus metrics of one app instance, on a registry of its own (several apps in one process,
 * as in tests, never share counters).
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'switchboard_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'switchboard_http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly evaluations = new Counter({
    name: 'switchboard_evaluations_total',
    help: 'Flag evaluations served by the server, by endpoint',
    labelNames: ['endpoint'],
    registers: [this.registry],
  });
  readonly streams = new Gauge({
    name: 'switchboard_sdk_streams',
    help: 'SDK streams connected to this replica',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly changePublishFailures = new Counter({
    name: 'switchboard_change_publish_failures_total',
    help: 'Changes this replica could not publish to the others on Redis (they catch up on reconnect or by the version poll)',
    registers: [this.registry],
  });
  readonly missedChanges = new Counter({
    name: 'switchboard_missed_changes_total',
    help: 'Environment versions this replica found in the store without having been told of them, by how it found them',
    labelNames: ['trigger'],
    registers: [this.registry],
  });

  readonly redisChanges = new Counter({
    name: 'switchboard_redis_changes_total',
    help: 'Changes exchanged with the other replicas on Redis: published by this one (acknowledged) or received from another',
    labelNames: ['direction'],
    registers: [this.registry],
  });
  readonly redisChangeDelay = new Histogram({
    name: 'switchboard_redis_change_delay_seconds',
    help: "Time from another replica's publish of a change to its arrival here (the replicas' clocks must agree)",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly changesApplied = new Counter({
    name: 'switchboard_changes_applied_total',
    help: "Changes this replica's streams were told of (its own, other replicas', and ones caught up from the store)",
    registers: [this.registry],
  });
  readonly eventsIngested = new Counter({
    name: 'switchboard_events_ingested_total',
    help: 'Events of ingested batches by outcome: accepted or rejected (replayed batches count under event_batches)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly eventBatches = new Counter({
    name: 'switchboard_event_batches_total',
    help: 'Event batches ingested: new, or duplicate (a replayed Idempotency-Key, answered from the first)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly eventWriteDuration = new Histogram({
    name: 'switchboard_event_write_duration_seconds',
    help: "Time a batch spends in the group-commit writer, queued and committed (the ingest request's wait)",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly gatewayGenerations = new Counter({
    name: 'switchboard_gateway_generations_total',
    help: 'Gateway generations by the provider and model that answered, outcome (ok or the error kind), fallback and shadow',
    labelNames: ['provider', 'model', 'outcome', 'fallback', 'shadow'],
    registers: [this.registry],
  });
  readonly rolloutDecisions = new Counter({
    name: 'switchboard_rollout_decisions_total',
    help: 'Rollout decisions made by this replica: advanced, held, rolled_back, completed, paused, resumed',
    labelNames: ['decision'],
    registers: [this.registry],
  });
  readonly webhookAttempts = new Counter({
    name: 'switchboard_webhook_attempts_total',
    help: 'Webhook delivery attempts by outcome: succeeded, retrying (failed, tried again later) or failed (given up)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'switchboard_' });
    this.streams.set({ kind: 'server' }, 0);
    this.streams.set({ kind: 'client' }, 0);
  }
}

/** Times every request and serves `/metrics` in the Prometheus text format. */
export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    // Unmatched URLs are grouped, so probing random paths cannot grow the label set.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
