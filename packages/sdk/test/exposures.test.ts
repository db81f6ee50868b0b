import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Snapshot, SnapshotFlag } from '@switchboard/core';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type ClientOptions, createClient, type SwitchboardClient } from '../src/index.js';
import { LruSet } from '../src/lru-set.js';

/** One POST /api/v1/events as the capture server received it. */
interface CapturedBatch {
  idempotencyKey: string | undefined;
  events: Record<string, unknown>[];
  /** The status the capture server answered. */
  status: number;
}

/** What the capture server does with the next events request: answer a status, or drop the connection. */
type Outcome = number | 'drop';

function flag(overrides: Partial<SnapshotFlag> & Pick<SnapshotFlag, 'key'>): SnapshotFlag {
  return {
    kind: 'string',
    variants: [
      { key: 'control', value: 'gpt-4o' },
      { key: 'candidate', value: 'claude-sonnet' },
      { key: 'pro', value: 'o3' },
    ],
    salt: `salt-${overrides.key}`,
    enabled: true,
    targets: [],
    rules: [],
    fallthrough: { variant: 'control' },
    prerequisites: [],
    version: 1,
    ...overrides,
  };
}

const SNAPSHOT: Snapshot = {
  version: 1,
  flags: [
    flag({
      key: 'llm-model',
      targets: [{ variant: 'candidate', values: ['targeted'] }],
      rules: [
        // A rule serving a one-variant split is still a split: its evaluations are exposures.
        {
          id: 'pro',
          clauses: [{ attribute: 'plan', op: 'equals', values: ['pro'] }],
          serve: { split: [{ variant: 'pro', weight: 100_000 }] },
        },
        {
          id: 'beta',
          clauses: [{ attribute: 'beta', op: 'equals', values: [true] }],
          serve: { variant: 'candidate' },
        },
      ],
      fallthrough: {
        split: [
          { variant: 'control', weight: 50_000 },
          { variant: 'candidate', weight: 50_000 },
        ],
      },
    }),
    flag({ key: 'prompt', fallthrough: { split: [{ variant: 'control', weight: 100_000 }] } }),
    flag({
      key: 'by-org',
      fallthrough: { split: [{ variant: 'control', weight: 100_000 }], bucketBy: 'orgId' },
    }),
    flag({ key: 'plain', fallthrough: { variant: 'control' } }),
    flag({
      key: 'killed',
      enabled: false,
      offVariant: 'control',
      fallthrough: { split: [{ variant: 'candidate', weight: 100_000 }] },
    }),
  ],
  segments: [],
};

/**
 * Stands in for the server's `POST /api/v1/events`, which the server does not have yet (it comes with
 * the measurement work): it records every batch and answers what the test scripts (503s, 409, dropped
 * connections), then 202. It also serves the snapshot, so the client starts as it would against the server.
 */
class CaptureServer {
  readonly batches: CapturedBatch[] = [];
  private readonly outcomes: Outcome[] = [];
  private server: Server | undefined;

  /** The next requests get these answers, in order; then 202 again. */
  failNext(...outcomes: Outcome[]): void {
    this.outcomes.push(...outcomes);
  }

  /** The batches the server accepted (2xx or 409). */
  accepted(): CapturedBatch[] {
    return this.batches.filter((b) => (b.status >= 200 && b.status < 300) || b.status === 409);
  }

  async start(): Promise<string> {
    const server = createServer((request, response) => void this.handle(request, response));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method === 'GET' && request.url?.startsWith('/api/v1/sdk/snapshot')) {
      response.writeHead(200, { 'content-type': 'application/json', etag: '"1"' });
      response.end(JSON.stringify(SNAPSHOT));
      return;
    }
    if (request.method !== 'POST' || request.url !== '/api/v1/events') {
      response.writeHead(404).end();
      return;
    }
    let body = '';
    for await (const chunk of request) body += chunk;
    const outcome = this.outcomes.shift() ?? 202;
    const key = request.headers['idempotency-key'];
    const events = (JSON.parse(body) as { events: Record<string, unknown>[] }).events;
    if (outcome === 'drop') {
      this.batches.push({ idempotencyKey: key as string | undefined, events, status: 0 });
      response.socket?.destroy();
      return;
    }
    this.batches.push({ idempotencyKey: key as string | undefined, events, status: outcome });
    response.writeHead(outcome, { 'content-type': 'application/json' }).end('{}');
  }
}

const clients: SwitchboardClient[] = [];
const servers: CaptureServer[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

/** A capture server and a client of it (no stream: these tests are about events). */
async function setup(
  events: ClientOptions['events'] = {},
  options: Partial<ClientOptions> = {},
): Promise<{ capture: CaptureServer; client: SwitchboardClient }> {
  const capture = new CaptureServer();
  servers.push(capture);
  const url = await capture.start();
  // A long interval unless a test sets one: nothing is sent but what the test triggers.
  const client = createClient({
    url,
    sdkKey: 'sb_server_test',
    stream: false,
    events: { flushIntervalMs: 60_000, ...events },
    ...options,
  });
  clients.push(client);
  expect((await client.ready({ timeoutMs: 2_000 })).source).toBe('server');
  return { capture, client };
}

async function until(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The (unit, flag, variant) of each exposure, in the order sent. */
function exposures(batches: readonly CapturedBatch[]): string[] {
  return batches.flatMap((b) =>
    b.events.filter((e) => e.kind === 'exposure').map((e) => `${e.unit}/${e.flag}/${e.variant}`),
  );
}

describe('exposure events', () => {
  it('sends one exposure per unit, flag and variant, and only for evaluations a split served', async () => {
    const { capture, client } = await setup();
    const served = (flagKey: string, context: Record<string, unknown>) => {
      const details = client.evaluate(flagKey, context);
      return `${details.reason}:${details.variant}`;
    };
    const u1 = client.evaluate('llm-model', { targetingKey: 'u1' }).variant;
    for (let i = 0; i < 5; i++) expect(served('llm-model', { targetingKey: 'u1' })).toBe(`SPLIT:${u1}`);
    // The same unit and flag served another variant (by a rule's split) is another exposure.
    expect(served('llm-model', { targetingKey: 'u1', plan: 'pro' })).toBe('SPLIT:pro');
    expect(served('llm-model', { targetingKey: 'u1', plan: 'pro' })).toBe('SPLIT:pro');
    // The same unit in another flag, and another unit in this flag.
    expect(served('prompt', { targetingKey: 'u1' })).toBe('SPLIT:control');
    const u2 = client.evaluate('llm-model', { userId: 'u2' }).variant;
    // Not split: a target, a rule serving one variant, a plain variant, a disabled flag, an error.
    expect(served('llm-model', { targetingKey: 'targeted' })).toBe('TARGETING_MATCH:candidate');
    expect(served('llm-model', { targetingKey: 'u3', beta: true })).toBe('TARGETING_MATCH:candidate');
    expect(served('plain', { targetingKey: 'u3' })).toBe('DEFAULT:control');
    expect(served('killed', { targetingKey: 'u3' })).toBe('DISABLED:control');
    expect(served('llm-model', {})).toBe('ERROR:undefined');
    expect(served('missing', { targetingKey: 'u3' })).toBe('ERROR:undefined');
    // The typed getters and allFlags evaluate too.
    client.getStringValue('prompt', { targetingKey: 'u1' }, 'x');

    await client.close();
    expect(exposures(capture.batches)).toEqual([
      `u1/llm-model/${u1}`,
      'u1/llm-model/pro',
      'u1/prompt/control',
      `u2/llm-model/${u2}`,
    ]);
    const [first] = capture.batches[0]?.events ?? [];
    expect(first).toMatchObject({ kind: 'exposure', flag: 'llm-model', unit: 'u1', variant: u1 });
    expect(Number.isNaN(Date.parse(String(first?.ts)))).toBe(false);
    expect(capture.batches[0]?.events[1]).toMatchObject({ ruleId: 'pro' });
  });

  it('records the unit the split bucketed: bucketBy, or userId when targetingKey is empty', async () => {
    const { capture, client } = await setup();
    client.evaluate('by-org', { targetingKey: 'u1', orgId: 'acme' });
    client.evaluate('by-org', { targetingKey: 'u2', orgId: 'acme' });
    client.evaluate('by-org', { targetingKey: 'u3', orgId: 42 });
    // The evaluator skips an empty targetingKey and buckets by userId: so must the exposure.
    client.evaluate('prompt', { targetingKey: '', userId: 'u4' });
    client.evaluate('prompt', { targetingKey: '', userId: 'u5' });
    await client.close();
    expect(exposures(capture.batches)).toEqual([
      'acme/by-org/control',
      '42/by-org/control',
      'u4/prompt/control',
      'u5/prompt/control',
    ]);
  });

  it('forgets the least recently seen exposures beyond the cache size, and sends them again', async () => {
    const { capture, client } = await setup({ exposureCacheSize: 3 });
    const see = (unit: string) => client.evaluate('prompt', { targetingKey: unit });
    see('u1');
    see('u2');
    see('u3');
    see('u1'); // remembered, and now the most recent: u2 is the oldest
    see('u4'); // forgets u2
    see('u1'); // still remembered
    see('u2'); // forgotten: sent again (and forgets u3)
    see('u4'); // remembered
    await client.close();
    expect(exposures(capture.batches).map((e) => e.split('/')[0])).toEqual(['u1', 'u2', 'u3', 'u4', 'u2']);
  });
});

describe('the exposure cache (LruSet)', () => {
  it('answers as a plain least-recently-seen list would, over any sequence', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 300 }),
        (capacity, keys) => {
          const lru = new LruSet(capacity);
          let model: string[] = [];
          for (const n of keys) {
            const key = `k${n}`;
            const fresh = !model.includes(key);
            model = [...model.filter((k) => k !== key), key].slice(-capacity);
            expect(lru.add(key)).toBe(fresh);
            expect(lru.size).toBe(model.length);
          }
        },
      ),
    );
  });

  it('evicts in constant time at 10,000 entries', () => {
    const lru = new LruSet(10_000);
    for (let i = 0; i < 10_000; i++) lru.add(`warm-${i}`);
    const started = performance.now();
    for (let i = 0; i < 50_000; i++) lru.add(`new-${i}`);
    // About 0.5 µs each here; evicting through a fresh iterator took 4-9 µs each (over 200 ms).
    expect(performance.now() - started).toBeLessThan(150);
    expect(lru.size).toBe(10_000);
    expect(lru.add('new-49999')).toBe(false);
    expect(lru.add('new-39999')).toBe(true);
  });
});

describe('event batching', () => {
  it('sends a batch as soon as batchSize events wait, without waiting for the interval', async () => {
    const { capture, client } = await setup({ batchSize: 10 });
    for (let i = 0; i < 10; i++) client.evaluate('prompt', { targetingKey: `u${i}` });
    await until(() => client.eventStats().sent === 10);
    expect(capture.batches.map((b) => b.events.length)).toEqual([10]);
    // Fewer than batchSize wait for the interval (a minute here) or close().
    for (let i = 10; i < 13; i++) client.evaluate('prompt', { targetingKey: `u${i}` });
    await sleep(200);
    expect(capture.batches).toHaveLength(1);
    expect(client.eventStats()).toEqual({
      queued: 3,
      sent: 10,
      dropped: 0,
      failed: 0,
      invalid: 0,
      drained: 0,
    });
  });

  it('sends what waits on the interval, below batchSize', async () => {
    const { capture, client } = await setup({ batchSize: 100, flushIntervalMs: 100 });
    for (let i = 0; i < 3; i++) client.evaluate('prompt', { targetingKey: `u${i}` });
    await until(() => client.eventStats().sent === 3, 2_000);
    expect(capture.batches.map((b) => b.events.length)).toEqual([3]);
    expect(client.eventStats()).toEqual({
      queued: 0,
      sent: 3,
      dropped: 0,
      failed: 0,
      invalid: 0,
      drained: 0,
    });
  });

  it('splits a burst into batches of at most batchSize, each with its own idempotency key', async () => {
    const { capture, client } = await setup({ batchSize: 10 });
    for (let i = 0; i < 25; i++) client.evaluate('prompt', { targetingKey: `u${i}` });
    await client.close();
    expect(capture.batches.map((b) => b.events.length).reduce((a, b) => a + b, 0)).toBe(25);
    expect(capture.batches.every((b) => b.events.length <= 10)).toBe(true);
    expect(exposures(capture.batches)).toEqual(Array.from({ length: 25 }, (_, i) => `u${i}/prompt/control`));
    const keys = capture.batches.map((b) => b.idempotencyKey);
    expect(keys.every((k) => typeof k === 'string' && k.length >= 16)).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keeps at most maxBuffer events waiting, drops the rest and counts them', async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const { capture, client } = await setup({ batchSize: 100, maxBuffer: 5 }, { logger });
    for (let i = 0; i < 8; i++) client.evaluate('prompt', { targetingKey: `u${i}` });
    client.enqueue({ kind: 'metric', name: 'latency', value: 1 });
    expect(client.eventStats()).toEqual({
      queued: 5,
      sent: 0,
      dropped: 4,
      failed: 0,
      invalid: 0,
      drained: 0,
    });
    await client.close();
    expect(exposures(capture.batches)).toEqual(
      ['u0', 'u1', 'u2', 'u3', 'u4'].map((u) => `${u}/prompt/control`),
    );
    expect(client.eventStats()).toEqual({
      queued: 0,
      sent: 5,
      dropped: 4,
      failed: 0,
      invalid: 0,
      drained: 0,
    });
    expect(warnings.some((m) => /dropped 4 events/.test(m))).toBe(true);
  });

  it('close() sends what is left and resolves once the server has it', async () => {
    const { capture, client } = await setup({ batchSize: 100 });
    client.evaluate('prompt', { targetingKey: 'u1' });
    client.enqueue({ kind: 'metric', name: 'tokens', value: 12 });
    expect(capture.batches).toHaveLength(0);
    await client.close();
    expect(capture.batches).toHaveLength(1);
    expect(capture.batches[0]?.events.map((e) => e.kind)).toEqual(['exposure', 'metric']);
    expect(client.eventStats()).toEqual({
      queued: 0,
      sent: 2,
      dropped: 0,
      failed: 0,
      invalid: 0,
      drained: 0,
    });
    await client.close();
    expect(capture.batches).toHaveLength(1);
  });
});

describe('event delivery failures', () => {
  it('retries a failed batch on the next interval with the same idempotency key and events', async () => {
    const { capture, client } = await setup({ flushIntervalMs: 50 });
    capture.failNext(503, 'drop');
    client.evaluate('prompt', { targetingKey: 'u1' });
    client.evaluate('prompt', { targetingKey: 'u2' });
    await until(() => capture.accepted().length === 1);
    expect(capture.batches.map((b) => b.status)).toEqual([503, 0, 202]);
    const [first, ...retries] = capture.batches;
    for (const retry of retries) {
      expect(retry.idempotencyKey).toBe(first?.idempotencyKey);
      expect(retry.events).toEqual(first?.events);
    }
    // Events queued behind a failing batch go in a batch of their own, with a new key.
    client.evaluate('prompt', { targetingKey: 'u3' });
    await until(() => client.eventStats().sent === 3);
    expect(capture.batches[3]?.idempotencyKey).not.toBe(first?.idempotencyKey);
    expect(client.eventStats()).toEqual({
      queued: 0,
      sent: 3,
      dropped: 0,
      failed: 0,
      invalid: 0,
      drained: 0,
    });
  });

  it('close() gives a failing batch its remaining attempts, with the same key', async () => {
    const { capture, client } = await setup();
    capture.failNext(503, 500);
    client.evaluate('prompt', { targetingKey: 'u1' });
    await client.close();
    expect(capture.batches.map((b) => b.status)).toEqual([503, 500, 202]);
    expect(new Set(capture.batches.map((b) => b.idempotencyKey)).size).toBe(1);
    expect(client.eventStats()).toEqual({
      queued: 0,
      sent: 1,
      dropped: 0,
      failed: 0,
      invalid: 0,
      drained: 0,
    });
  });

  it('counts a 409 (the server already has this batch) as delivered, without retrying', async () => {
    const { capture, client } = await setup();
    capture.failNext(409);
    client.evaluate('prompt', { targetingKey: 'u1' });
    await client.close();
    expect(capture.batches.map((b) => b.status)).toEqual([409]);
    expect(client.eventStats()).toMatchObject({ sent: 1, failed: 0 });
  });

  it('gives up after three attempts, counts the events as failed, and goes on with the next batch', async () => {
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (m: string) => errors.push(m) };
    const { capture, client } = await setup({ batchSize: 2 }, { logger });
    capture.failNext(500, 500, 500);
    for (let i = 0; i < 3; i++) client.evaluate('prompt', { targetingKey: `u${i}` });
    await client.close();
    expect(capture.batches.map((b) => [b.status, b.events.length])).toEqual([
      [500, 2],
      [500, 2],
      [500, 2],
      [202, 1],
    ]);
    expect(client.eventStats()).toEqual({
      queued: 0,
      sent: 1,
      dropped: 0,
      failed: 2,
      invalid: 0,
      drained: 0,
    });
    expect(errors.some((m) => /gave up on 2 events after 3 attempts/.test(m))).toBe(true);
  });

  it('moves a batch to the next replica when one is down or failing, with the same key, and stays there', async () => {
    const first = new CaptureServer();
    const second = new CaptureServer();
    servers.push(first, second);
    const urls = [await first.start(), await second.start()];
    const client = createClient({
      url: urls,
      sdkKey: 'sb_server_test',
      stream: false,
      events: { flushIntervalMs: 60_000, batchSize: 1 },
    });
    clients.push(client);
    await client.ready({ timeoutMs: 2_000 });
    // The first replica fails to answer (it may have stored the batch): the second gets the same key.
    first.failNext('drop');
    client.evaluate('prompt', { targetingKey: 'u1' });
    await until(() => second.accepted().length === 1);
    expect(second.batches[0]?.idempotencyKey).toBe(first.batches[0]?.idempotencyKey);
    // The next batch goes straight to the replica that took the last one.
    client.evaluate('prompt', { targetingKey: 'u2' });
    await until(() => second.accepted().length === 2);
    expect(first.batches).toHaveLength(1);
    // A 5xx moves it back; a 400 does not move it (it would be refused everywhere).
    second.failNext(503);
    client.evaluate('prompt', { targetingKey: 'u3' });
    await until(() => first.accepted().length === 1);
    first.failNext(400);
    client.evaluate('prompt', { targetingKey: 'u4' });
    await until(() => first.batches.length === 3);
    await sleep(30);
    expect(second.batches).toHaveLength(3);
    // A replica that is gone entirely: the batch still arrives.
    await first.stop();
    client.evaluate('prompt', { targetingKey: 'u5' });
    await until(() => second.accepted().some((b) => b.events.some((e) => e.unit === 'u5')));
  });

  it('never throws into the application: unreachable server, unserializable event', async () => {
    const client = createClient({
      url: 'http://127.0.0.1:9',
      sdkKey: 'sb_server_test',
      stream: false,
      bootstrap: SNAPSHOT,
      events: { batchSize: 1, flushIntervalMs: 10 },
    });
    clients.push(client);
    await client.ready({ timeoutMs: 100 });
    const circular: Record<string, unknown> = { kind: 'metric' };
    circular.self = circular;
    expect(() => {
      for (let i = 0; i < 20; i++) client.evaluate('prompt', { targetingKey: `u${i}` });
      client.enqueue(circular);
    }).not.toThrow();
    await sleep(50);
    await expect(client.close()).resolves.toBeUndefined();
    // Every batch had its three attempts, none could be delivered, and nothing is left waiting.
    expect(client.eventStats()).toEqual({
      queued: 0,
      sent: 0,
      dropped: 0,
      failed: 21,
      invalid: 0,
      drained: 0,
    });
    client.evaluate('prompt', { targetingKey: 'after-close' });
    expect(client.eventStats()).toEqual({
      queued: 0,
      sent: 0,
      dropped: 1,
      failed: 21,
      invalid: 0,
      drained: 0,
    });
  });
});
