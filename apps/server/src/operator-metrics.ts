import type { GenerationEvent } from '@switchboard/core';
import { Counter, Gauge } from 'prom-client';
import type { ChangeBus } from './change-bus.js';
import type { Database } from './db/database.js';
import type { EventService, IngestObserver } from './features/events/event-service.js';
import type { GatewayService } from './features/gateway/gateway-service.js';
import type { Notifier } from './features/rollouts/notifier.js';
import type { Metrics } from './metrics.js';

/** The parts whose state the operator's gauges read at each scrape. */
export interface OperatedParts {
  database: Database;
  bus: ChangeBus;
  events: EventService;
  gateway: GatewayService;
  /** The gateway's provider names (the built-in `simulated` included). */
  providers: readonly string[];
}

const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;

/** Counts each ingested batch and its events, and times its write. */
export function ingestObserver(metrics: Metrics): IngestObserver {
  return {
    ingested({ accepted, rejected, duplicate }) {
      metrics.eventBatches.inc({ outcome: duplicate ? 'duplicate' : 'new' });
      if (accepted > 0) metrics.eventsIngested.inc({ outcome: 'accepted' }, accepted);
      if (rejected > 0) metrics.eventsIngested.inc({ outcome: 'rejected' }, rejected);
    },
    written(seconds) {
      metrics.eventWriteDuration.observe(seconds);
    },
  };
}

/** A notifier that counts each rollout decision before passing it on. */
export function countingNotifier(metrics: Metrics, next: Notifier): Notifier {
  return {
    notify(event) {
      metrics.rolloutDecisions.inc({ decision: event.type.replace(/^rollout\./, '') });
      next.notify(event);
    },
  };
}

/** Counts the gateway's generations (served and shadow) as they are recorded. */
export function countGenerations(metrics: Metrics, events: readonly GenerationEvent[]): void {
  for (const event of events) {
    metrics.gatewayGenerations.inc({
      provider: event.provider,
      model: event.model,
      outcome: event.error ?? 'ok',
      fallback: String(event.fallbackUsed === true),
      shadow: String(event.shadow === true),
    });
  }
}

/**
 * Registers the gauges read at scrape time (the event writer's queue, the gateway's breakers and
 * shadow calls, pending webhook deliveries, the store's health) and counts the changes the bus delivers.
 */
export function registerOperatorGauges(metrics: Metrics, parts: OperatedParts): void {
  const registers = [metrics.registry];
  parts.bus.subscribe(() => metrics.changesApplied.inc());
  new Gauge({
    name: 'switchboard_event_write_queue_events',
    help: 'Accepted events waiting for the group-commit writer or being written now',
    registers,
    collect() {
      this.set(parts.events.eventsBeingWritten());
    },
  });
  new Gauge({
    name: 'switchboard_gateway_breaker_state',
    help: "Each provider's circuit breaker: 1 for its current state (closed, open, half-open), 0 for the others",
    labelNames: ['provider', 'state'],
    registers,
    collect() {
      for (const provider of parts.providers) {
        const current = parts.gateway.breakerState(provider);
        for (const state of BREAKER_STATES) this.set({ provider, state }, state === current ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'switchboard_gateway_shadow_running',
    help: 'Shadow calls of the gateway running now',
    registers,
    collect() {
      this.set(parts.gateway.shadowStats().running);
    },
  });
  const counted = { started: 0, skipped: 0, failed: 0 };
  new Counter({
    name: 'switchboard_gateway_shadow_calls_total',
    help: 'Shadow calls: started, skipped (concurrency limit reached or not renderable: dropped) and failed',
    labelNames: ['outcome'],
    registers,
    collect() {
      const stats = parts.gateway.shadowStats();
      for (const outcome of ['started', 'skipped', 'failed'] as const) {
        this.inc({ outcome }, stats[outcome] - counted[outcome]);
        counted[outcome] = stats[outcome];
      }
    },
  });
  new Gauge({
    name: 'switchboard_webhook_deliveries_pending',
    help: 'Webhook deliveries queued or waiting for a retry, in the store (all replicas)',
    registers,
    async collect() {
      try {
        const row = await parts.database.db
          .selectFrom('webhook_deliveries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '=', 'pending')
          .executeTakeFirst();
        this.set(Number(row?.n ?? 0));
      } catch {
        // The store is down: switchboard_store_up says so; this gauge keeps its last value.
      }
    },
  });
  new Gauge({
    name: 'switchboard_store_up',
    help: 'Whether the store answered a query at this scrape (1) or not (0)',
    labelNames: ['dialect'],
    registers,
    async collect() {
      try {
        await parts.database.db.selectFrom('projects').select('id').limit(1).execute();
        this.set({ dialect: parts.database.dialect }, 1);
      } catch {
        this.set({ dialect: parts.database.dialect }, 0);
      }
    },
  });
}
