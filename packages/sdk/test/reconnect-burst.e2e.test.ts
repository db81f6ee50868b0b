import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../../apps/server/src/app.js';
import { startTestApp, type TestApp } from '../../../apps/server/test/harness.js';
import { createClient, STREAM_BACKOFF, type SwitchboardClient } from '../src/index.js';

const CLIENTS = 200;
const WINDOW_MS = 100;
/**
 * The most stream connections the restarted server may see in one 100 ms window (counted by its HTTP
 * server's `request` event, before any route runs).
 *
 * Every stream ends at once, and each client's first reconnection waits uniformly in [0, 1 s) (full
 * jitter, 1 s base): 200 clients over 10 windows is 20 a window. A client whose attempt lands while
 * the server is down waits again, uniformly in [0, 2 s), then [0, 4 s): attempt k's time has a density
 * of at most 1/(2^k s), so all of a client's attempts together make at most 2 per second, 0.2 a window,
 * 40 a window for 200 clients. With the server down for 0.5 s the busiest window expects about 25
 * (20 first attempts, 5 second ones). 50 is twice that, over 5 standard deviations above it (a window's
 * count is binomial, sd about 5). Without jitter the same restart put 107 in one window.
 */
const MAX_PER_WINDOW = 50;
/** How long the server stays down: long enough that about half the clients find it down once. */
const DOWN_MS = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A server key and a boolean flag `ai-agent`, on: the kill switch the tests pull while the server is down. */
async function prepare(server: TestApp): Promise<string> {
  const key = (
    await server.request('POST', '/api/v1/keys', { name: 'sdk', kind: 'server', environment: 'production' })
  ).body.key as string;
  await server.request('POST', '/api/v1/flags', {
    key: 'ai-agent',
    kind: 'boolean',
    variants: [
      { key: 'on', value: true },
      { key: 'off', value: false },
    ],
  });
  const enabled = await server.request('POST', '/api/v1/flags/ai-agent/environments/production/enable', {
    version: 0,
  });
  expect(enabled.status).toBe(200);
  return key;
}

/** Pulls the kill switch through the admin API of `app` (which need not be listening). */
async function disable(app: App, adminKey: string): Promise<void> {
  const headers = { authorization: `Bearer ${adminKey}` };
  const current = await app.http.inject({
    method: 'GET',
    url: '/api/v1/flags/ai-agent/environments/production',
    headers,
  });
  const response = await app.http.inject({
    method: 'POST',
    url: '/api/v1/flags/ai-agent/environments/production/disable',
    headers,
    payload: { version: current.json().version },
  });
  expect(response.statusCode).toBe(200);
}

/** Starts `count` clients and resolves once every one holds a stream. */
async function connect(
  server: App,
  url: string,
  sdkKey: string,
  count: number,
): Promise<SwitchboardClient[]> {
  const started = Array.from({ length: count }, () => createClient({ url, sdkKey }));
  clients.push(...started);
  const states = await Promise.all(started.map((c) => c.ready({ timeoutMs: 10_000 })));
  expect(states.every((s) => s.source === 'server')).toBe(true);
  await until(() => server.services.streams.count().server === count, 10_000, 'every stream to attach');
  for (const c of started) expect(c.killSwitch('ai-agent')).toBeNull();
  return started;
}

const clients: SwitchboardClient[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a server restart with many SDKs connected', () => {
  it(`spreads ${CLIENTS} reconnections (≤ ${MAX_PER_WINDOW} per ${WINDOW_MS} ms) and every SDK catches up`, async () => {
    expect(STREAM_BACKOFF).toEqual({ baseMs: 1_000, capMs: 30_000 });
    const first = await startTestApp('sqlite');
    let firstClosed = false;
    cleanups.push(async () => {
      if (!firstClosed) await first.close();
      await first.database.close();
      await rm(first.dataDir, { recursive: true, force: true });
    });
    const url = await first.http.listen({ port: 0, host: '127.0.0.1' });
    const port = Number(new URL(url).port);
    const sdkKey = await prepare(first);
    const connected = await connect(first, url, sdkKey, CLIENTS);

    // The restart: the process's app goes away (every stream ends), a new one starts on the same store
    // and port. The kill switch is pulled while no server listens.
    // Server and clients share this event loop: a stall bunches timers into one window. Its worst
    // delay goes into the failure message, to tell a stalled machine from a burst.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    await first.close();
    firstClosed = true;
    const downAt = performance.now();
    const second = await createApp(first.config, { database: first.database, shutdownGraceMs: 500 });
    cleanups.push(() => second.close());
    await disable(second, first.adminKey);
    const arrivals: number[] = [];
    second.http.server.on('request', (request: IncomingMessage) => {
      if (request.url?.startsWith('/api/v1/sdk/stream')) arrivals.push(performance.now());
    });
    await sleep(Math.max(0, DOWN_MS - (performance.now() - downAt)));
    await second.http.listen({ port, host: '127.0.0.1' });
    const upAt = performance.now();

    await until(
      () => connected.every((c) => c.killSwitch('ai-agent') !== null),
      // Worst case, a client finds the server down twice: its third wait is below 4 s.
      15_000,
      'every client to see the kill switch',
    );
    await until(() => second.services.streams.count().server === CLIENTS, 5_000, 'every stream to reattach');

    const windows = new Map<number, number>();
    for (const at of arrivals) {
      const window = Math.floor((at - upAt) / WINDOW_MS);
      windows.set(window, (windows.get(window) ?? 0) + 1);
    }
    loopDelay.disable();
    const busiest = Math.max(...windows.values());
    const counts = [...windows].sort(([a], [b]) => a - b);
    const stall = `worst event-loop delay ${Math.round(loopDelay.max / 1e6)} ms`;
    expect(arrivals.length).toBeGreaterThanOrEqual(CLIENTS);
    expect(busiest, `[window, connections]: ${JSON.stringify(counts)}; ${stall}`).toBeLessThanOrEqual(
      MAX_PER_WINDOW,
    );
    // Spread, not merely capped: with full jitter the first second after the restart is far from all of them.
    expect(arrivals.filter((at) => at - upAt < WINDOW_MS).length).toBeLessThan(CLIENTS / 2);
  }, 60_000);
});

/**
 * StreamHub follows no changes while an environment has no stream attached; the next stream to attach
 * must still be brought to the current snapshot, not to the one from before the last stream left (a
 * heartbeat for a client at that version, or a `put` of it for one that fetched newer). Regression
 * tests of that bug, fixed by catching up in `attach`.
 */
describe('catching up when no stream of the environment was attached', () => {
  async function single(): Promise<{ server: TestApp; url: string; sdkKey: string }> {
    const server = await startTestApp('sqlite');
    cleanups.push(() => server.destroy());
    const url = await server.http.listen({ port: 0, host: '127.0.0.1' });
    return { server, url, sdkKey: await prepare(server) };
  }

  it('a client whose stream dropped gets the kill switch pulled meanwhile', async () => {
    const { server, url, sdkKey } = await single();
    const [c] = await connect(server, url, sdkKey, 1);
    const port = Number(new URL(url).port);
    server.http.server.close();
    server.http.server.closeAllConnections();
    await until(() => server.services.streams.count().server === 0, 5_000, 'the stream to detach');
    await disable(server, server.adminKey);
    await new Promise<void>((resolve) => server.http.server.listen(port, '127.0.0.1', resolve));
    await until(() => server.services.streams.count().server === 1, 5_000, 'the stream to reattach');
    await until(() => c?.killSwitch('ai-agent') !== null, 2_000, 'the kill switch');
  });

  it('a client starting after the last stream left is not taken back to a stale snapshot', async () => {
    const { server, url, sdkKey } = await single();
    const [first] = await connect(server, url, sdkKey, 1);
    await first?.close();
    await until(() => server.services.streams.count().server === 0, 5_000, 'the stream to detach');
    await disable(server, server.adminKey);
    const late = createClient({ url, sdkKey });
    clients.push(late);
    await late.ready();
    expect(late.killSwitch('ai-agent')).not.toBeNull();
    await until(() => server.services.streams.count().server === 1, 5_000, 'the stream to attach');
    await sleep(300);
    expect(late.killSwitch('ai-agent')).not.toBeNull();
  });
});
