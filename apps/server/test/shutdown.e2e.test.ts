import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shutdownGraceOf } from '../src/main.js';
import { type RunningServer, startServerProcess } from './cli-process.js';
import { EventLedger } from './event-ledger.js';
import { ndjson, requestJson, until } from './http-request.js';

/**
 * Graceful shutdown of a `switchboard start` process on SIGTERM: new requests are turned away while
 * the ones in flight finish, every acknowledged event and the generation of the in-flight gateway
 * request are in the store after a restart, and the process exits 0 within its configured bound.
 * (An SDK moving to another replica when its replica stops is in stress/replica-scenario.ts.)
 */

/** The bound under test (SWITCHBOARD_SHUTDOWN_TIMEOUT_MS); the default is 10 s. */
const SHUTDOWN_TIMEOUT_MS = 5_000;
const SENDERS = 4;
const BATCH_EVENTS = 100;

/** A request on a connection of its own: refused, or answered (status and Connection header). */
function onNewConnection(url: string): Promise<{ refused: true } | { status: number; connection: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/healthz`, { agent: false }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, connection: String(res.headers.connection) });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET') resolve({ refused: true });
      else reject(error);
    });
    req.end();
  });
}

describe('SIGTERM: a server process shuts down gracefully', () => {
  let dataDir: string;
  let server: RunningServer | undefined;
  let serverKey: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchboard-shutdown-'));
    server = await startServerProcess({
      dataDir,
      env: { SWITCHBOARD_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
    });
    const { url, adminKey } = server;
    const key = await requestJson(url, adminKey, 'POST', '/api/v1/keys', {
      name: 'sdk',
      kind: 'server',
      environment: 'production',
    });
    expect(key.status).toBe(201);
    serverKey = key.body.key;
    const flag = await requestJson(url, adminKey, 'POST', '/api/v1/flags', {
      key: 'checkout',
      kind: 'boolean',
      variants: [
        { key: 'on', value: true },
        { key: 'off', value: false },
      ],
    });
    expect(flag.status).toBe(201);
    // The simulated provider answers in 1 to 2 s (first token, then up to 90 tokens at 60 a second): a slow request.
    const slow = await requestJson(url, adminKey, 'POST', '/api/v1/flags', {
      key: 'slow-answer',
      kind: 'ai-config',
      variants: [
        { key: 'main', value: { provider: 'simulated', model: 'sim-slow', params: { maxTokens: 90 } } },
      ],
    });
    expect(slow.status).toBe(201);
    const configured = await requestJson(
      url,
      adminKey,
      'PATCH',
      '/api/v1/flags/slow-answer/environments/production',
      {
        version: 0,
        enabled: true,
        fallthrough: { variant: 'main' },
      },
    );
    expect(configured.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('gives in-flight requests most of the bound and keeps a reserve for the writes after them', () => {
    expect(shutdownGraceOf(10_000)).toBe(8_000);
    expect(shutdownGraceOf(1_000)).toBe(500);
  });

  it('finishes the request in flight, turns new ones away, loses no acknowledged event, exits 0 in time', async () => {
    const running = server as RunningServer;
    const { url, adminKey } = running;
    const ledger = new EventLedger(serverKey, 'checkout');

    const slowStarted = performance.now();
    const slow = fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serverKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'flag:slow-answer',
        messages: [{ role: 'user', content: 'Tell me a story' }],
      }),
    }).then(async (response) => ({
      status: response.status,
      body: (await response.json()) as { choices: { message: { content: string } }[] },
      at: performance.now(),
    }));

    let sending = true;
    const senders = Array.from({ length: SENDERS }, async () => {
      // Each sender goes on until the server stops answering, as SDKs do.
      while (sending && (await ledger.send(url, BATCH_EVENTS))) {}
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sigtermAt = performance.now();
    const exit = running.terminate();
    // Once the server has begun closing (at once, or a moment later on a loaded machine), a new
    // connection is refused or told to go, while the slow request is still being answered.
    let late = await onNewConnection(url);
    for (let tries = 0; tries < 40 && 'status' in late && late.status === 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      late = await onNewConnection(url);
    }
    const lateAt = performance.now();
    if ('refused' in late) expect(late.refused).toBe(true);
    else expect(late).toEqual({ status: 503, connection: 'close' });

    const answered = await slow;
    sending = false;
    await Promise.all(senders);
    const exited = await exit;
    server = undefined;

    expect(answered.status).toBe(200);
    expect(answered.body.choices[0]?.message.content).toMatch(/\w/);
    // It was in flight when the signal came, and finished after it.
    expect(sigtermAt - slowStarted).toBeGreaterThan(250);
    expect(answered.at).toBeGreaterThan(sigtermAt);
    expect(answered.at).toBeGreaterThan(lateAt);
    expect(exited.code).toBe(0);
    expect(exited.ms).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    // Not held open until the grace ran out by the keep-alive connections of the finished requests:
    // it stops soon after the slow request (about 1.5 s after the signal).
    expect(exited.ms).toBeLessThan(shutdownGraceOf(SHUTDOWN_TIMEOUT_MS));
    const acknowledged = ledger.acknowledged();
    expect(acknowledged.batches).toBeGreaterThan(0);

    // The same store, started again: every acknowledged batch is there, once, and the generation.
    server = await startServerProcess({ dataDir, adminKey });
    const restarted = server;
    const check = await ledger.check(restarted.url, adminKey);
    expect(check.lostAcknowledged).toEqual([]);
    expect(check.duplicated).toEqual([]);
    expect(check.partial).toEqual([]);
    // A graceful stop answers whatever it stored.
    expect(check.storedUnacknowledged).toBe(0);
    expect(check.storedEvents).toBe(acknowledged.events);
    expect(check.rolledUpExposures).toBe(acknowledged.events);
    const generations = await requestJson(
      restarted.url,
      adminKey,
      'GET',
      '/api/v1/events/export?environment=production&kind=generation&flag=slow-answer',
    );
    expect(ndjson(generations.body)).toHaveLength(1);
    expect(ndjson(generations.body)[0]).toMatchObject({ provider: 'simulated', model: 'sim-slow' });
    console.info('shutdown:', {
      exitMs: Math.round(exited.ms),
      slowRequestMs: Math.round(answered.at - slowStarted),
      acknowledgedBatches: acknowledged.batches,
      unacknowledgedBatches: ledger.batches.length - acknowledged.batches,
    });
  }, 60_000);
});

describe('SIGTERM: a shutdown that cannot finish within its bound', () => {
  /** A short bound: the webhook delivery in flight waits up to 10 s for its receiver. */
  const BOUND_MS = 1_500;
  let dataDir: string;
  let server: RunningServer | undefined;
  const held: ServerResponse[] = [];
  let receiverUrl = '';
  let received = 0;
  const receiver = createServer((request, response) => {
    request.resume();
    received++;
    // Accepts the delivery and never answers it.
    held.push(response);
  });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchboard-shutdown-overrun-'));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    server = await startServerProcess({
      dataDir,
      env: { SWITCHBOARD_SHUTDOWN_TIMEOUT_MS: String(BOUND_MS) },
    });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    for (const response of held) response.destroy();
    await new Promise((resolve) => receiver.close(resolve));
    await rm(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('exits 1 at its bound, saying so, and keeps the delivery it could not finish', async () => {
    const running = server as RunningServer;
    const hook = await requestJson(running.url, running.adminKey, 'POST', '/api/v1/webhooks', {
      name: 'stuck receiver',
      url: receiverUrl,
      events: ['flag.*'],
    });
    expect(hook.status).toBe(201);
    const flag = await requestJson(running.url, running.adminKey, 'POST', '/api/v1/flags', {
      key: 'overrun',
      kind: 'boolean',
      variants: [
        { key: 'on', value: true },
        { key: 'off', value: false },
      ],
    });
    expect(flag.status).toBe(201);
    // The delivery worker (every second) sends the flag.created event; the receiver holds it.
    await until(() => received === 1, 10_000, 'the delivery in flight');

    const exited = await running.terminate();
    server = undefined;
    expect(exited.code).toBe(1);
    expect(exited.ms).toBeGreaterThanOrEqual(BOUND_MS - 50);
    expect(exited.ms).toBeLessThan(BOUND_MS + 3_000);
    expect(running.output()).toContain(`SIGTERM: not closed within ${BOUND_MS} ms; exiting anyway`);

    // Nothing is lost: the store still holds the delivery, unfinished, claimed by the attempt that was
    // cut off (counted, with no outcome); it is sent again once that claim lapses (60 s).
    server = await startServerProcess({ dataDir, adminKey: running.adminKey });
    const log = await requestJson(
      server.url,
      running.adminKey,
      'GET',
      `/api/v1/webhooks/${hook.body.id}/deliveries`,
    );
    expect(log.status).toBe(200);
    expect(log.body.items).toHaveLength(1);
    expect(log.body.items[0]).toMatchObject({ eventType: 'flag.created', attempts: 1, finishedAt: null });
    expect(log.body.items[0].attemptLog).toEqual([]);
    expect(['pending', 'delivering']).toContain(log.body.items[0].status);
  }, 60_000);
});
