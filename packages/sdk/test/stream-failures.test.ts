import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Snapshot, SnapshotFlag } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay, createClient, STREAM_BACKOFF, type SwitchboardClient } from '../src/index.js';

/** A flag serving one string value, at a version. */
function flag(value: string, version: number): SnapshotFlag {
  return {
    key: 'greeting',
    kind: 'string',
    variants: [{ key: 'v', value }],
    salt: 's',
    enabled: true,
    targets: [],
    rules: [],
    fallthrough: { variant: 'v' },
    prerequisites: [],
    version,
  };
}

function snapshotOf(value: string, version: number): Snapshot {
  return { version, flags: [flag(value, version)], segments: [] };
}

function sse(event: string, id: number, data: unknown): string {
  return `event: ${event}\nid: ${id}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

/**
 * A stand-in for the Switchboard server that speaks the same protocol but misbehaves on purpose:
 * each stream connection is handed to `onStream` with its number (0 for the first).
 */
class FakeServer {
  streams = 0;
  lastEventIds: (string | undefined)[] = [];
  /** What `/readyz` answers: 200 when true, 503 otherwise. */
  ready = false;
  readyChecks = 0;
  /** Event batches taken (202); refused with 503 while `ready` is false. */
  eventBatches = 0;
  private server: Server | undefined;

  constructor(
    private readonly onStream: (n: number, response: ServerResponse, request: IncomingMessage) => void,
    private readonly snapshot: (request: IncomingMessage, response: ServerResponse) => void = (_q, r) =>
      r.writeHead(503).end(),
  ) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      if (request.url?.startsWith('/api/v1/sdk/snapshot')) return this.snapshot(request, response);
      if (request.url === '/api/v1/events') {
        request.resume();
        if (this.ready) this.eventBatches++;
        return response.writeHead(this.ready ? 202 : 503, { 'content-type': 'application/json' }).end('{}');
      }
      if (request.url === '/readyz') {
        this.readyChecks++;
        return response.writeHead(this.ready ? 200 : 503).end();
      }
      if (request.url?.startsWith('/api/v1/sdk/stream')) {
        this.lastEventIds.push(request.headers['last-event-id'] as string | undefined);
        return this.onStream(this.streams++, response, request);
      }
      response.writeHead(404).end();
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

function open(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
}

const fast = { baseMs: 10, capMs: 50 };
const clients: SwitchboardClient[] = [];
const servers: FakeServer[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function fake(
  onStream: ConstructorParameters<typeof FakeServer>[0],
  snapshot?: ConstructorParameters<typeof FakeServer>[1],
) {
  const server = new FakeServer(onStream, snapshot);
  servers.push(server);
  return { server, url: await server.start() };
}

function client(url: string, options: Partial<Parameters<typeof createClient>[0]> = {}): SwitchboardClient {
  const c = createClient({ url, sdkKey: 'sb_server_test', ...options });
  // Reconnect fast in tests; the policy itself is tested below.
  (c as unknown as { stream: { options: { backoff: unknown } } }).stream.options.backoff = fast;
  clients.push(c);
  return c;
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the SDK stream under failure', () => {
  it('reconnects after a stream dropped mid-way and reconciles by version (Last-Event-ID)', async () => {
    const { server, url } = await fake((n, response) => {
      open(response);
      if (n === 0) {
        response.write(sse('put', 1, { version: 1, snapshot: snapshotOf('one', 1) }));
        setTimeout(() => response.destroy(), 50);
      } else {
        // The change made while the client was away arrives as a put on reconnect.
        response.write(sse('put', 2, { version: 2, snapshot: snapshotOf('two', 2) }));
      }
    });
    const c = client(url);
    await until(() => c.evaluate('greeting').value === 'two');
    expect(server.lastEventIds.slice(0, 2)).toEqual([undefined, '1']);
  });

  it('ignores a malformed event and resyncs from a full snapshot (no Last-Event-ID)', async () => {
    const errors: string[] = [];
    const { server, url } = await fake((n, response) => {
      open(response);
      response.write(sse('put', 1, { version: 1, snapshot: snapshotOf(n === 0 ? 'one' : 'resynced', 1) }));
      if (n === 0)
        response.write(sse('patch', 2, '{"version": 2, "kind": "flag", "key": "greeting", "value": {broken'));
    });
    const c = client(url, {
      logger: { debug() {}, info() {}, warn: (m: string) => errors.push(m), error() {} },
    });
    await until(() => c.evaluate('greeting').value === 'resynced');
    expect(server.lastEventIds[1]).toBeUndefined();
    expect(errors.some((m) => /malformed patch event/.test(m))).toBe(true);
  });

  it('ignores a schema-invalid patch (a flag without a version) the same way', async () => {
    const { url } = await fake((n, response) => {
      open(response);
      response.write(sse('put', 1, { version: 1, snapshot: snapshotOf(n === 0 ? 'one' : 'resynced', 1) }));
      if (n === 0)
        response.write(
          sse('patch', 2, { version: 2, kind: 'flag', key: 'greeting', value: { key: 'greeting' } }),
        );
    });
    const c = client(url);
    await until(() => c.evaluate('greeting').value === 'resynced');
  });

  it('treats a silent stream as dropped and reconnects', async () => {
    const { server, url } = await fake((n, response) => {
      open(response);
      // The first stream sends its snapshot, then nothing: no heartbeat, ever.
      response.write(
        sse('put', n + 1, { version: n + 1, snapshot: snapshotOf(n === 0 ? 'silent' : 'alive', n + 1) }),
      );
    });
    const c = client(url, { streamSilenceMs: 200 });
    await until(() => c.evaluate('greeting').value === 'alive');
    expect(server.streams).toBeGreaterThanOrEqual(2);
  });

  it('stops retrying on 401 and reports it, but keeps retrying a 503', async () => {
    const refused = await fake((_n, response) => response.writeHead(401).end());
    const c401 = client(refused.url, { bootstrap: snapshotOf('boot', 0) });
    const state = await c401.ready({ timeoutMs: 2_000 });
    expect(state.error).toMatch(/401/);
    await new Promise((r) => setTimeout(r, 300));
    expect(refused.server.streams).toBe(1);
    expect(c401.evaluate('greeting').value).toBe('boot');

    const unavailable = await fake((_n, response) => response.writeHead(503).end());
    client(unavailable.url);
    await until(() => unavailable.server.streams >= 3);
  });

  it('applies several patches of one change in order, and emits change with their keys', async () => {
    const two = { ...flag('two', 2), key: 'other' };
    const { url } = await fake((_n, response) => {
      open(response);
      response.write(sse('put', 1, { version: 1, snapshot: snapshotOf('one', 1) }));
      setTimeout(() => {
        response.write(
          sse('patch', 2, { version: 2, kind: 'flag', key: 'greeting', value: flag('patched', 2) }),
        );
        response.write(sse('patch', 2, { version: 2, kind: 'flag', key: 'other', value: two }));
      }, 50);
    });
    const c = client(url);
    const changes: string[][] = [];
    c.on('change', (keys: string[]) => changes.push(keys));
    await until(() => c.evaluate('other').value === 'two');
    expect(c.evaluate('greeting').value).toBe('patched');
    expect(changes).toContainEqual(['greeting']);
    expect(changes).toContainEqual(['other']);
  });
});

describe('several replicas', () => {
  it('moves the stream on when the first URL fails, and back to it once it answers ready again', async () => {
    let homeUp = false;
    const home = await fake((_n, response) => {
      if (!homeUp) return response.writeHead(503).end();
      open(response);
      response.write(sse('put', 3, { version: 3, snapshot: snapshotOf('home', 3) }));
    });
    let awayClosed = false;
    const away = await fake((_n, response) => {
      open(response);
      response.write(sse('put', 2, { version: 2, snapshot: snapshotOf('away', 2) }));
      response.on('close', () => {
        awayClosed = true;
      });
    });
    const info: string[] = [];
    const events: { connected: boolean; reason?: string; movingHome?: boolean }[] = [];
    away.server.ready = true;
    const c = client('', {
      url: [home.url, away.url],
      streamHomeProbeMs: 40,
      events: { flushIntervalMs: 10, batchSize: 1 },
      logger: { debug() {}, info: (m: string) => info.push(m), warn() {}, error() {} },
    });
    c.on('stream', (event: { connected: boolean; reason?: string; movingHome?: boolean }) =>
      events.push(event),
    );
    await until(() => c.evaluate('greeting').value === 'away');
    // While home is not ready it is only asked, never streamed from.
    await until(() => home.server.readyChecks >= 3);
    expect(home.server.streams).toBe(1);
    expect(awayClosed).toBe(false);
    // Event batches move on too (home answers 503), and stay with the replica that took them.
    c.track('away-metric');
    await until(() => away.server.eventBatches === 1);

    homeUp = true;
    home.server.ready = true;
    await until(() => c.evaluate('greeting').value === 'home');
    // It resumed from the version the other replica gave it, and let that stream go.
    expect(home.server.lastEventIds.at(-1)).toBe('2');
    await until(() => awayClosed);
    expect(events.filter((e) => e.movingHome)).toEqual([
      { connected: false, reason: `moving back to ${home.url}`, retryInMs: 0, movingHome: true },
    ]);
    expect(info.some((m) => m.includes(`${home.url} is ready again`))).toBe(true);
    // And go home with the stream.
    c.track('home-metric');
    await until(() => home.server.eventBatches === 1);
    expect(away.server.eventBatches).toBe(1);
    // At home it asks no more.
    const checks = home.server.readyChecks;
    await new Promise((r) => setTimeout(r, 200));
    expect(home.server.readyChecks).toBe(checks);
    expect(away.server.streams).toBe(1);
  });
});

describe('ready()', () => {
  it('never waits past its timeout, even for a server that accepts and never answers', async () => {
    const { url } = await fake(
      () => {},
      () => {},
    );
    const c = client(url, { bootstrap: snapshotOf('boot', 0) });
    const started = performance.now();
    const state = await c.ready({ timeoutMs: 200 });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(state.source).toBe('bootstrap');
    expect(c.evaluate('greeting').value).toBe('boot');
  });
});

describe('reconnection backoff', () => {
  it('uses full jitter below an exponential ceiling capped at 30 s', () => {
    expect(backoffDelay(0, STREAM_BACKOFF, () => 0.999)).toBe(999);
    expect(backoffDelay(3, STREAM_BACKOFF, () => 0.5)).toBe(4_000);
    expect(backoffDelay(20, STREAM_BACKOFF, () => 0.999)).toBe(29_970);
    expect(backoffDelay(5, STREAM_BACKOFF, () => 0)).toBe(0);
  });

  it('spreads 200 clients reconnecting after a restart: no 100 ms window holds more than 5% of them', () => {
    // Every client is on its first retry (1 s ceiling) after a restart: full jitter spreads them
    // uniformly over that second, so each 100 ms window expects ~20 of 200; the bound is 40 (20%... here 5% of
    // a 10x longer horizon is not the claim): the claim is no burst above 2x the uniform share.
    const delays = Array.from({ length: 200 }, () => backoffDelay(0, STREAM_BACKOFF));
    const windows = new Array<number>(10).fill(0);
    for (const d of delays) windows[Math.floor(d / 100)] = (windows[Math.floor(d / 100)] ?? 0) + 1;
    expect(Math.max(...windows)).toBeLessThanOrEqual(40);
    expect(Math.max(...delays)).toBeLessThan(1_000);
  });
});
