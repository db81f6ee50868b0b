import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type SwitchboardClient } from '@switchboard/sdk';
import { sql } from 'kysely';
import { expect, vi } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { type Database, type Dialect, openDatabase } from '../src/db/database.js';
import type { Notifier } from '../src/features/rollouts/notifier.js';
import type { DecisionReport } from '../src/features/rollouts/rollout-service.js';
import type { ArmModel } from '../src/features/rollouts/simulation-scenarios.js';
import { TEST_DATABASE_URL, type TestApp } from './harness.js';
import { HOUR_MS, seeded } from './rollout-fixtures.js';

/** Share of answered requests whose user gives a thumb. */
const FEEDBACK_SHARE = 0.4;

/**
 * Users of an LLM feature behind one flag, each on one of the SDK clients (sticky, as behind a load
 * balancer with affinity). A request resolves the flag's AI config through the SDK (which records the
 * exposure), then records the generation with its simulated latency, error and fallback, and sometimes
 * the user's thumb, all through the SDK. Everything random comes from one seeded generator.
 */
export class SimulatedUsers {
  private readonly random: () => number;
  /** Requests per assigned variant, over the whole run. */
  readonly served: Record<string, number> = {};

  constructor(
    private readonly clients: readonly SwitchboardClient[],
    private readonly flag: string,
    private readonly users: number,
    seed: number,
    private readonly arms: { control: ArmModel; candidate: ArmModel },
  ) {
    this.random = seeded(seed);
  }

  /** `count` requests now (the faked Date: the SDK stamps its events with it). */
  requests(count: number): Record<string, number> {
    const now: Record<string, number> = {};
    for (let i = 0; i < count; i++) {
      const user = Math.floor(this.random() * this.users);
      const client = this.clients[user % this.clients.length] as SwitchboardClient;
      const context = { targetingKey: `user-${user}` };
      const config = client.aiConfig(this.flag, context);
      const variant = config.variant ?? 'none';
      now[variant] = (now[variant] ?? 0) + 1;
      this.served[variant] = (this.served[variant] ?? 0) + 1;
      const arm = variant === 'control' || variant === 'candidate' ? this.arms[variant] : undefined;
      if (arm === undefined) continue;
      const failed = this.random() < arm.errorRate;
      const fallback = !failed && this.random() < arm.fallbackRate;
      client.trackGeneration({
        flag: this.flag,
        variant,
        context,
        provider: config.provider ?? 'openai',
        model: config.model ?? 'gpt-4o',
        latencyMs: Math.round(arm.latencyMs * (0.6 + 0.8 * this.random())),
        inputTokens: 400,
        outputTokens: failed ? 0 : 150,
        ...(failed ? { error: 'server' as const } : {}),
        ...(fallback ? { fallbackUsed: true } : {}),
      });
      if (!failed && this.random() < FEEDBACK_SHARE) {
        client.trackFeedback({
          flag: this.flag,
          variant,
          context,
          thumbs: this.random() < arm.upRate ? 'up' : 'down',
        });
      }
    }
    return now;
  }
}

/** Sends what the clients hold and waits for the server's answers. */
export async function flushClients(clients: readonly SwitchboardClient[]): Promise<void> {
  for (const client of clients) {
    // The queue's flush is internal: close() would flush too, but ends the client.
    await (client as unknown as { events: { flush(): Promise<void> } }).events.flush();
  }
}

/** SDK clients on a listening test server, with a server key of the environment. */
export async function sdkClients(t: TestApp, serverKey: string, count: number): Promise<SwitchboardClient[]> {
  const address = t.http.server.address() as AddressInfo;
  const clients = Array.from({ length: count }, () =>
    createClient({
      url: `http://127.0.0.1:${address.port}`,
      sdkKey: serverKey,
      // Flushed by hand at the end of each simulated hour.
      events: { flushIntervalMs: 3_600_000, batchSize: 2_000, maxBuffer: 1_000_000 },
    }),
  );
  for (const client of clients) await client.ready({ timeoutMs: 5_000 });
  await expect.poll(() => t.services.streams.count().server).toBeGreaterThanOrEqual(count);
  return clients;
}

/** Waits until every client holds the environment's current snapshot version. */
export async function converged(t: TestApp, serverKey: string, clients: readonly SwitchboardClient[]) {
  const snapshot = await t.request('GET', '/api/v1/sdk/snapshot', undefined, {
    authorization: `Bearer ${serverKey}`,
  });
  const version = snapshot.body.version as number;
  await expect.poll(() => clients.every((c) => (c.state().version ?? 0) >= version)).toBe(true);
}

/** One simulated hour: the clock (the server's and the SDK's Date) at `hour`, traffic, then the tick at its end. */
export interface HourStep {
  hour: number;
  served: Record<string, number>;
  decision: DecisionReport | undefined;
}

/**
 * Runs hours of traffic and ticks: during hour h the time is h:30 (events are stamped with it), at its
 * end the server's clock moves to h+1:00 and the scheduler ticks. After a decision that changes what
 * the flag serves, the clients catch up before the next hour. Stops when `until` says so or after
 * `maxHours`.
 */
export async function simulate(options: {
  t: TestApp;
  serverKey: string;
  clients: readonly SwitchboardClient[];
  users: SimulatedUsers;
  start: number;
  firstHour?: number;
  requestsPerHour: number;
  maxHours: number;
  setTime: (ms: number) => void;
  flag: string;
  until: (step: HourStep) => boolean;
  onStep?: (step: HourStep) => void | Promise<void>;
}): Promise<HourStep[]> {
  const steps: HourStep[] = [];
  for (let hour = options.firstHour ?? 0; hour < options.maxHours; hour++) {
    options.setTime(options.start + hour * HOUR_MS + HOUR_MS / 2);
    const served = options.users.requests(options.requestsPerHour);
    await flushClients(options.clients);
    options.setTime(options.start + (hour + 1) * HOUR_MS);
    const tick = await options.t.services.rolloutScheduler.tick();
    expect(tick.failures).toEqual([]);
    const decision = tick.decisions.find((d) => d.flag === options.flag);
    const step = { hour, served, decision };
    steps.push(step);
    await options.onStep?.(step);
    if (decision !== undefined && decision.action !== 'held')
      await converged(options.t, options.serverKey, options.clients);
    if (options.until(step)) break;
  }
  return steps;
}

/** Fakes only `Date` (timers stay real: the server and the SDK run as they do), at `ms`. */
export function fakeDate(ms: number): (at: number) => void {
  vi.useFakeTimers({ toFake: ['Date'], now: ms });
  return (at: number) => vi.setSystemTime(at);
}

/** A store that outlives the apps on it: a file (SQLite) or a schema (PostgreSQL), closed and reopened. */
export interface ReopenableStore {
  open(): Promise<Database>;
  drop(): Promise<void>;
}

export async function reopenableStore(dialect: Dialect): Promise<ReopenableStore> {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-sim-'));
  const schema = `sb_test_${randomBytes(6).toString('hex')}`;
  const open = () =>
    dialect === 'sqlite'
      ? openDatabase({ dataDir: dir, sqliteFile: 'rollouts.db' })
      : openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: dir, schema });
  return {
    open,
    async drop() {
      if (dialect === 'postgres') {
        const database = await open();
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
        await database.close();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An app on a store opened here and closed with it (a restart is `destroy()` then this again), as
 * `startTestApp` makes them; `adminKey` is the one the first start created.
 */
export async function startAppOn(
  store: ReopenableStore,
  options: { clock: () => Date; adminKey?: string; port?: number; notifier?: Notifier },
): Promise<TestApp> {
  const database = await store.open();
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-sim-data-'));
  const config = { ...loadConfig({}, { dataDir, logLevel: 'silent' }), rolloutIntervalMs: 0 };
  const app = await createApp(config, {
    database,
    clock: options.clock,
    shutdownGraceMs: 500,
    ...(options.notifier === undefined ? {} : { rolloutNotifier: options.notifier }),
  });
  const adminKey = options.adminKey ?? app.bootstrapAdminKey;
  if (adminKey === undefined) throw new Error('no admin key');
  await app.http.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  return {
    ...app,
    adminKey,
    dataDir,
    async request(method, url, body, headers = {}) {
      const response = await app.http.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${adminKey}`, ...headers },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      let parsed: unknown = response.body;
      try {
        parsed = JSON.parse(response.body);
      } catch {
        // Not JSON.
      }
      // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely.
      return { status: response.statusCode, body: parsed as any, headers: response.headers };
    },
    async destroy() {
      await app.close();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
