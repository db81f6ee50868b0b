import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SwitchboardClient } from '../../../packages/sdk/src/index.js';
import { type App, createApp } from '../src/app.js';
import type { Change, ReplicaLog } from '../src/change-bus.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/database.js';
import { RedisChangeBus } from '../src/redis-change-bus.js';
import { type RunningServer, startServerProcess } from './cli-process.js';
import { openTestDatabase, TEST_DATABASE_URL, TEST_REDIS_URL } from './harness.js';

/**
 * Replicas: the Redis bus on its own (two buses in this process); two `switchboard start` processes on
 * one PostgreSQL schema and one Redis channel, each with an SDK, then Redis restarted under them, then
 * one of them killed; and replicas without Redis, converging by the version poll. Everything that
 * uses the shared Redis is in this one file, so the restart never overlaps this suite's own Redis
 * tests (other suites on this machine see an outage of well under a second, which always ends).
 */

const run = randomBytes(6).toString('hex');
/** A change reaches every connected SDK within this, through either replica. */
const DELIVERY_BOUND_MS = 2_000;
/** After Redis is back: reconnection (backoff capped at 2 s), catch-up from the store, push. */
const RECOVERY_BOUND_MS = 6_000;
/** An SDK whose replica died: reconnection to the next URL (first backoff under 1 s), then a put. */
const FAILOVER_BOUND_MS = 5_000;
/** The longest Redis is kept down, whatever happens in the test meanwhile. */
const MAX_OUTAGE_MS = 8_000;

const execFileAsync = promisify(execFile);
const redisAddress = new URL(TEST_REDIS_URL);
const redisHost = redisAddress.hostname;
const redisPort = redisAddress.port === '' ? '6379' : redisAddress.port;

/** A channel no other test run uses: runs on one Redis never hear each other. */
function freshChannel(): string {
  return `switchboard:test:${randomBytes(6).toString('hex')}`;
}

/** Resolves when `check` holds; fails after `timeoutMs`. */
async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves with the time (performance.now()) of the client's next change naming `flag`. */
function changeOf(client: SwitchboardClient, flag: string): Promise<number> {
  return new Promise((resolve) => {
    const listener = (keys: string[]) => {
      if (!keys.includes(flag)) return;
      client.off('change', listener);
      resolve(performance.now());
    };
    client.on('change', listener);
  });
}

/** `promise`, or a failure naming `what` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** An admin request to a server's base URL. */
async function request(
  base: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely; assertions check them.
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

/** Sets a flag's production configuration through one server (read, then write with that version). */
async function configure(base: string, key: string, flag: string, patch: Record<string, unknown>) {
  const path = `/api/v1/flags/${flag}/environments/production`;
  const current = await request(base, key, 'GET', path);
  expect(current.status).toBe(200);
  const changed = await request(base, key, 'PATCH', path, { ...patch, version: current.body.version });
  expect(changed.status).toBe(200);
  return changed.body;
}

async function createBooleanFlag(base: string, key: string, flag: string) {
  const created = await request(base, key, 'POST', '/api/v1/flags', {
    key: flag,
    kind: 'boolean',
    variants: [
      { key: 'on', value: true },
      { key: 'off', value: false },
    ],
  });
  expect(created.status).toBe(201);
  await configure(base, key, flag, { enabled: true });
}

/** One sample of a Prometheus metric (0 when absent). */
async function metric(base: string, sample: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

async function readyz(base: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function redisAnswers(): Promise<boolean> {
  const probe = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 500,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

const REDIS_SERVER_ARGS = [
  '--daemonize',
  'yes',
  '--bind',
  redisHost,
  '--port',
  redisPort,
  '--save',
  '',
  '--appendonly',
  'no',
];

/** Set while this file has Redis down: if the worker dies then, Redis is started on the way out. */
let redisStoppedByUs = false;
process.once('exit', () => {
  if (redisStoppedByUs) spawnSync('redis-server', REDIS_SERVER_ARGS);
});

async function startRedis(): Promise<void> {
  if (!(await redisAnswers())) await execFileAsync('redis-server', REDIS_SERVER_ARGS);
  await until(redisAnswers, 5_000, 'Redis restarted');
  redisStoppedByUs = false;
}

/**
 * Runs `during` with Redis stopped, and always starts Redis again afterwards: when `during` fails,
 * and when it hangs (it is abandoned after MAX_OUTAGE_MS).
 */
async function withRedisDown(during: () => Promise<void>): Promise<{ restartedAt: number }> {
  redisStoppedByUs = true;
  try {
    // SHUTDOWN closes the connection without a reply: redis-cli may report that; what counts is below.
    await execFileAsync('redis-cli', ['-h', redisHost, '-p', redisPort, 'shutdown', 'nosave']).catch(
      () => {},
    );
    await until(async () => !(await redisAnswers()), 5_000, 'Redis stopped');
    await within(during(), MAX_OUTAGE_MS, 'the test run while Redis was down');
  } finally {
    await startRedis();
  }
  return { restartedAt: performance.now() };
}

/** Delivery times observed, printed once at the end. */
const observed: Record<string, number[]> = {};
function note(what: string, ms: number): void {
  const times = observed[what] ?? [];
  times.push(Math.round(ms));
  observed[what] = times;
}

afterAll(async () => {
  // Whatever happened above, Redis is left running.
  if (!(await redisAnswers())) await startRedis();
  if (Object.keys(observed).length > 0) console.info('replicas: delivery times (ms)', observed);
});

function change(key: string, version: number): Change {
  return { resource: 'flag', key, projectId: 'p1', environmentVersions: { e1: version } };
}

function recordingLog(): ReplicaLog & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (_details, message) => lines.push(`info: ${message}`),
    warn: (_details, message) => lines.push(`warn: ${message}`),
  };
}

const buses: RedisChangeBus[] = [];
let admin: Redis;

/** A bus on `channel`, connected; resolves once it is subscribed. */
async function connectedBus(channel: string, hooks: { log?: ReplicaLog; subscribed?: () => void } = {}) {
  const bus = new RedisChangeBus({ url: TEST_REDIS_URL, channel });
  buses.push(bus);
  const received: Change[] = [];
  bus.subscribe((c) => received.push(c));
  let subscriptions = 0;
  const failures: Error[] = [];
  await new Promise<void>((resolve) => {
    bus.connect({
      ...(hooks.log === undefined ? {} : { log: hooks.log }),
      onPublishFailure: (error) => failures.push(error),
      onSubscribed: () => {
        subscriptions++;
        hooks.subscribed?.();
        resolve();
      },
    });
  });
  return { bus, received, failures, subscriptions: () => subscriptions };
}

describe('RedisChangeBus: two buses in one process on one channel', () => {
  beforeAll(async () => {
    admin = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    await admin.ping();
  });

  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });

  afterAll(() => {
    admin.disconnect();
  });

  it('delivers a change locally at once and to the other bus on the channel, each once', async () => {
    const channel = freshChannel();
    const a = await connectedBus(channel);
    const b = await connectedBus(channel);
    expect(a.bus.status()).toBe('connected');

    a.bus.publish(change('ai-agent', 2));
    // Local delivery is synchronous: before the publish call returns.
    expect(a.received).toEqual([change('ai-agent', 2)]);
    await until(() => b.received.length === 1, 3_000, 'delivery to the other bus');
    expect(b.received).toEqual([change('ai-agent', 2)]);

    b.bus.publish(change('llm-model', 3));
    await until(() => a.received.length === 2, 3_000, 'delivery back');
    // Let any echo of a bus's own message arrive: none may be delivered twice.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(a.received).toEqual([change('ai-agent', 2), change('llm-model', 3)]);
    expect(b.received).toEqual([change('ai-agent', 2), change('llm-model', 3)]);
    expect([...a.failures, ...b.failures]).toEqual([]);
  });

  it('keeps deployments on other channels apart', async () => {
    const a = await connectedBus(freshChannel());
    const other = await connectedBus(freshChannel());
    a.bus.publish(change('ai-agent', 2));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(other.received).toEqual([]);
  });

  it('ignores malformed messages on the channel and goes on', async () => {
    const channel = freshChannel();
    const log = recordingLog();
    const a = await connectedBus(channel, { log });
    await admin.publish(channel, 'not json');
    await admin.publish(channel, JSON.stringify({ replica: 'x', change: { resource: 'flag' } }));
    await admin.publish(channel, JSON.stringify({ replica: 'x', change: change('ai-agent', 4) }));
    await until(() => a.received.length === 1, 3_000, 'delivery');
    expect(a.received).toEqual([change('ai-agent', 4)]);
    expect(log.lines.filter((l) => l.includes('malformed'))).toHaveLength(2);
  });

  it('subscribes again after its connection is killed and says so, so the caller can catch up', async () => {
    const channel = freshChannel();
    let subscribedAgain: () => void = () => {};
    const again = new Promise<void>((resolve) => {
      subscribedAgain = resolve;
    });
    let first = true;
    const a = await connectedBus(channel, {
      subscribed: () => {
        if (!first) subscribedAgain();
        first = false;
      },
    });
    const b = await connectedBus(channel);
    // Only this bus's subscriber: other runs' connections on this Redis are left alone.
    const clients = (await admin.client('LIST')) as string;
    const line = clients.split('\n').find((l) => l.includes(`name=switchboard:${a.bus.replicaId}:sub`));
    const id = /id=(\d+)/.exec(line ?? '')?.[1];
    expect(id).toBeDefined();
    await admin.client('KILL', 'ID', id as string);
    await again;
    expect(a.subscriptions()).toBe(2);
    b.bus.publish(change('ai-agent', 5));
    await until(() => a.received.length === 1, 3_000, 'delivery');
    expect(a.received).toEqual([change('ai-agent', 5)]);
  });

  it('without Redis, delivers locally, counts and logs the failed publish, and never throws', async () => {
    const log = recordingLog();
    // Nothing listens on port 1.
    const bus = new RedisChangeBus({ url: 'redis://127.0.0.1:1', channel: freshChannel() });
    buses.push(bus);
    const received: Change[] = [];
    const failures: Error[] = [];
    bus.subscribe((c) => received.push(c));
    bus.connect({ log, onPublishFailure: (error) => failures.push(error) });
    const started = performance.now();
    expect(() => bus.publish(change('ai-agent', 2))).not.toThrow();
    expect(received).toEqual([change('ai-agent', 2)]);
    await until(() => failures.length === 1, 3_000, 'the failure reported');
    expect(performance.now() - started).toBeLessThan(500);
    expect(bus.status()).toBe('unavailable');
    expect(log.lines.some((l) => l.startsWith('warn: a change could not be published'))).toBe(true);
    await until(
      () => log.lines.some((l) => l.startsWith('warn: Redis is unreachable')),
      3_000,
      'the outage logged',
    );
    const closing = performance.now();
    await bus.close();
    expect(performance.now() - closing).toBeLessThan(500);
  });

  it('before connect(), delivers locally only', async () => {
    const bus = new RedisChangeBus({ url: TEST_REDIS_URL, channel: freshChannel() });
    buses.push(bus);
    const received: Change[] = [];
    bus.subscribe((c) => received.push(c));
    bus.publish(change('ai-agent', 1));
    expect(received).toEqual([change('ai-agent', 1)]);
    expect(bus.status()).toBe('unavailable');
  });
});

describe('two server processes on one PostgreSQL and one Redis', () => {
  const schema = `sb_replicas_${run}`;
  const channel = `switchboard:test:${run}`;
  let admin: pg.Client;
  let r1: RunningServer;
  let r2: RunningServer;
  let serverKey: string;
  const clients: SwitchboardClient[] = [];

  /** An SDK on `url`, loaded and with its stream open. */
  async function connectedClient(url: string | string[]): Promise<SwitchboardClient> {
    const client = createClient({ url, sdkKey: serverKey });
    clients.push(client);
    const open = new Promise<void>((resolve) =>
      client.on('stream', (e: { connected: boolean }) => {
        if (e.connected) resolve();
      }),
    );
    expect((await client.ready({ timeoutMs: 10_000 })).source).toBe('server');
    await within(open, 10_000, 'the SDK stream opened');
    return client;
  }

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    // The server takes its schema through the URL, as libpq does: ?options=-c search_path=...
    const databaseUrl = new URL(TEST_DATABASE_URL);
    databaseUrl.searchParams.set('options', `-c search_path=${schema}`);
    const env = {
      DATABASE_URL: databaseUrl.toString(),
      REDIS_URL: TEST_REDIS_URL,
      SWITCHBOARD_REDIS_CHANNEL: channel,
      // Long enough never to fire here: what is tested is Redis and the catch-up on reconnection
      // (the poll has its own test below).
      SWITCHBOARD_VERSION_POLL_MS: '600000',
    };
    // One at a time: the first migrates the fresh schema and creates the admin key.
    r1 = await startServerProcess({ env });
    r2 = await startServerProcess({ env, adminKey: r1.adminKey });
    const created = await request(r1.url, r1.adminKey, 'POST', '/api/v1/keys', {
      name: 'sdk',
      kind: 'server',
      environment: 'production',
    });
    expect(created.status).toBe(201);
    serverKey = created.body.key;
    await createBooleanFlag(r1.url, r1.adminKey, 'ai-agent');
    await createBooleanFlag(r1.url, r1.adminKey, 'summaries');
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all([r1?.stop(), r2?.stop()]);
    await admin?.query(`drop schema if exists ${schema} cascade`);
    await admin?.end();
  }, 60_000);

  it('reports Redis as connected on both replicas', async () => {
    for (const server of [r1, r2]) {
      await until(
        async () => (await readyz(server.url)).body.redis === 'connected',
        5_000,
        'Redis connected',
      );
      expect(await readyz(server.url)).toEqual({
        status: 200,
        body: { status: 'ready', store: 'postgres', redis: 'connected' },
      });
    }
  });

  it(`brings a change made through either replica to the SDKs of both within ${DELIVERY_BOUND_MS} ms`, async () => {
    const sdk1 = await connectedClient(r1.url);
    const sdk2 = await connectedClient(r2.url);
    expect(sdk1.getBooleanValue('ai-agent', {}, false)).toBe(true);
    let enabled = true;
    for (const [through, name] of [
      [r1, 'replica 1'],
      [r2, 'replica 2'],
      [r1, 'replica 1'],
      [r2, 'replica 2'],
    ] as const) {
      enabled = !enabled;
      const seen = [changeOf(sdk1, 'ai-agent'), changeOf(sdk2, 'ai-agent')] as const;
      const started = performance.now();
      await configure(through.url, r1.adminKey, 'ai-agent', { enabled });
      const [at1, at2] = await within(Promise.all(seen), DELIVERY_BOUND_MS, `the change through ${name}`);
      note('both replicas up: SDK of replica 1', at1 - started);
      note('both replicas up: SDK of replica 2', at2 - started);
      for (const sdk of [sdk1, sdk2]) expect(sdk.evaluate('ai-agent').reason === 'DISABLED').toBe(!enabled);
    }
  });

  it('keeps serving and changing with Redis down, then brings what was missed once Redis is back', async () => {
    const [sdk1, sdk2] = clients as [SwitchboardClient, SwitchboardClient];
    // The flag is enabled when this starts (the previous test ends on enabled).
    expect(sdk2.evaluate('ai-agent').reason).not.toBe('DISABLED');
    const failuresBefore = await metric(r1.url, 'switchboard_change_publish_failures_total');
    const missedBefore = await metric(r2.url, 'switchboard_missed_changes_total{trigger="reconnect"}');
    const missedBySdk2 = changeOf(sdk2, 'ai-agent');
    let requestMs = 0;

    const { restartedAt } = await withRedisDown(async () => {
      const seenBySdk1 = changeOf(sdk1, 'ai-agent');
      const started = performance.now();
      await configure(r1.url, r1.adminKey, 'ai-agent', { enabled: false });
      requestMs = performance.now() - started;
      note(
        'Redis down: SDK of the replica that made the change',
        (await within(seenBySdk1, DELIVERY_BOUND_MS, 'local delivery')) - started,
      );
      expect(sdk1.evaluate('ai-agent').reason).toBe('DISABLED');
      // Replica 2 cannot know yet: nothing carries the change until Redis is back.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(sdk2.evaluate('ai-agent').reason).not.toBe('DISABLED');
      // Still in the rotation, saying what is wrong.
      expect(await readyz(r1.url)).toEqual({
        status: 200,
        body: { status: 'ready', store: 'postgres', redis: 'unavailable' },
      });
    });
    // A GET and a PATCH: Redis down costs the request nothing.
    expect(requestMs).toBeLessThan(1_000);

    note(
      'Redis back: SDK of the other replica, after Redis restart',
      (await within(missedBySdk2, RECOVERY_BOUND_MS, 'the missed change on replica 2')) - restartedAt,
    );
    expect(sdk2.evaluate('ai-agent').reason).toBe('DISABLED');
    expect(await metric(r1.url, 'switchboard_change_publish_failures_total')).toBeGreaterThan(failuresBefore);
    expect(await metric(r2.url, 'switchboard_missed_changes_total{trigger="reconnect"}')).toBeGreaterThan(
      missedBefore,
    );

    for (const server of [r1, r2]) {
      await until(
        async () => (await readyz(server.url)).body.redis === 'connected',
        RECOVERY_BOUND_MS,
        'Redis connected again',
      );
    }
    const seen = [changeOf(sdk1, 'ai-agent'), changeOf(sdk2, 'ai-agent')] as const;
    const started = performance.now();
    await configure(r2.url, r1.adminKey, 'ai-agent', { enabled: true });
    const [at1, at2] = await within(Promise.all(seen), DELIVERY_BOUND_MS, 'a change after Redis came back');
    note('Redis back: SDK of replica 1', at1 - started);
    note('Redis back: SDK of replica 2', at2 - started);
  }, 60_000);

  it('moves an SDK given both URLs to the other replica when its replica is killed, missing nothing', async () => {
    const streamsBefore = await metric(r1.url, 'switchboard_sdk_streams{kind="server"}');
    const sdk = await connectedClient([r1.url, r2.url]);
    // It is on replica 1, the first URL.
    expect(await metric(r1.url, 'switchboard_sdk_streams{kind="server"}')).toBe(streamsBefore + 1);
    const reconnected = new Promise<number>((resolve) =>
      sdk.on('stream', (e: { connected: boolean }) => {
        if (e.connected) resolve(performance.now());
      }),
    );
    const caughtUp = Promise.all([changeOf(sdk, 'ai-agent'), changeOf(sdk, 'summaries')]);

    const killedAt = performance.now();
    await r1.kill();
    // Changes made through the surviving replica while the SDK has no stream (it reconnects after a
    // random delay under a second).
    await configure(r2.url, r1.adminKey, 'ai-agent', { enabled: false });
    await configure(r2.url, r1.adminKey, 'summaries', { enabled: false });

    await within(caughtUp, FAILOVER_BOUND_MS, 'both changes on the SDK');
    note('failover: SDK reconnected to replica 2, after SIGKILL', (await reconnected) - killedAt);
    note('failover: SDK had both changes, after SIGKILL', performance.now() - killedAt);
    expect(sdk.evaluate('ai-agent').reason).toBe('DISABLED');
    expect(sdk.evaluate('summaries').reason).toBe('DISABLED');
    expect(sdk.state().source).toBe('server');

    // And it stays live on replica 2.
    const live = changeOf(sdk, 'summaries');
    const started = performance.now();
    await configure(r2.url, r1.adminKey, 'summaries', { enabled: true });
    note(
      'failover: SDK on replica 2, next change',
      (await within(live, DELIVERY_BOUND_MS, 'a change after failover')) - started,
    );
    expect(sdk.evaluate('summaries').reason).not.toBe('DISABLED');
  }, 30_000);
});

describe('replicas without Redis', () => {
  let database: Database;
  let dataDir: string;
  const apps: App[] = [];

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    dataDir = await mkdtemp(join(tmpdir(), 'switchboard-replicas-'));
  });

  afterAll(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await database?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('converge through the version poll: an SDK of one gets a change made through the other', async () => {
    const POLL_MS = 100;
    const config = loadConfig({}, { dataDir, logLevel: 'silent', versionPollMs: POLL_MS });
    const first = await createApp(config, { database, shutdownGraceMs: 500 });
    apps.push(first);
    const second = await createApp(
      { ...config, bootstrapAdminKey: false },
      { database, shutdownGraceMs: 500 },
    );
    apps.push(second);
    const adminKey = first.bootstrapAdminKey as string;
    const url1 = await first.http.listen({ port: 0, host: '127.0.0.1' });
    const url2 = await second.http.listen({ port: 0, host: '127.0.0.1' });
    expect((await readyz(url2)).body).toEqual({ status: 'ready', store: 'postgres' });
    const sdkKey = (
      await request(url1, adminKey, 'POST', '/api/v1/keys', {
        name: 'sdk',
        kind: 'server',
        environment: 'production',
      })
    ).body.key as string;
    await createBooleanFlag(url1, adminKey, 'ai-agent');
    const sdk = createClient({ url: url2, sdkKey });
    try {
      expect((await sdk.ready({ timeoutMs: 5_000 })).source).toBe('server');
      await until(() => sdk.getBooleanValue('ai-agent', {}, false), 2_000, 'the SDK has the flag');
      const seen = changeOf(sdk, 'ai-agent');
      const started = performance.now();
      await configure(url1, adminKey, 'ai-agent', { enabled: false });
      note(
        `no Redis: SDK of the other replica (poll every ${POLL_MS} ms)`,
        (await within(seen, POLL_MS + DELIVERY_BOUND_MS, 'the change through the poll')) - started,
      );
      expect(sdk.evaluate('ai-agent').reason).toBe('DISABLED');
      expect(await metric(url2, 'switchboard_missed_changes_total{trigger="poll"}')).toBeGreaterThan(0);
    } finally {
      await sdk.close();
    }
  });
});
