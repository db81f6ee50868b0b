import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createClient,
  type DrainReport,
  GenerationDrainedError,
  type SwitchboardClient,
} from '../src/index.js';
import { AI_SNAPSHOT } from './ai-fixtures.js';

function sse(event: string, id: number, data: unknown): string {
  return `event: ${event}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A server that hands each stream to the test, and serves no snapshot (the stream's put is enough). */
async function streamServer(onStream: (response: ServerResponse, url: string) => void) {
  const urls: string[] = [];
  const server: Server = createServer((request, response) => {
    if (request.url?.startsWith('/api/v1/sdk/stream')) {
      urls.push(request.url);
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(sse('put', 1, { version: 1, snapshot: AI_SNAPSHOT }));
      return onStream(response, request.url);
    }
    response.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, urls };
}

const servers: Server[] = [];
const clients: SwitchboardClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A tracked call that runs until its signal aborts, then rejects with the abort's reason. */
function hangingCall(client: SwitchboardClient, unit: string) {
  const config = client.aiConfig('support-bot', { targetingKey: unit });
  const call = config.tracker.track(
    (signal) =>
      new Promise((_, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason));
      }),
  );
  return {
    variant: config.variant,
    outcome: call.then(
      () => 'finished',
      (error: unknown) => error,
    ),
  };
}

describe('drain events on the SDK stream', () => {
  it("asks for drain events, and aborts the named variant's in-flight calls when one comes", async () => {
    let stream: ServerResponse | undefined;
    const { url, urls } = await streamServer((response) => {
      stream = response;
    });
    const client = createClient({ url, sdkKey: 'sb_server_test' });
    clients.push(client);
    await client.ready({ timeoutMs: 2_000 });
    await until(() => client.state().version === 1);
    expect(urls[0]).toMatch(/[?&]events=drain\b/);

    const candidate = hangingCall(client, 'beta-user');
    const control = hangingCall(client, 'control-user');
    expect([candidate.variant, control.variant]).toEqual(['candidate', 'control']);
    expect(client.inFlight('support-bot')).toBe(2);
    const drained = new Promise<DrainReport>((resolve) => client.once('drain', resolve));
    stream?.write(
      sse('drain', 1, { version: 1, flag: 'support-bot', variant: 'candidate', reason: 'regress' }),
    );

    expect(await drained).toEqual({ flag: 'support-bot', trigger: 'requested', finished: 0, aborted: 1 });
    const error = await candidate.outcome;
    expect(error).toBeInstanceOf(GenerationDrainedError);
    expect(error).toMatchObject({ flag: 'support-bot', trigger: 'requested' });
    // The control's call runs on.
    expect(client.inFlight('support-bot')).toBe(1);
    expect(client.eventStats().drained).toBe(1);
    // Without a variant, a drain takes every call of the flag (the kill switch's).
    stream?.write(sse('drain', 1, { version: 1, flag: 'support-bot', reason: 'killed' }));
    expect(await control.outcome).toBeInstanceOf(GenerationDrainedError);
  });

  it('ignores events it does not know, without reconnecting, and goes on applying the rest', async () => {
    let stream: ServerResponse | undefined;
    const { url, urls } = await streamServer((response) => {
      stream = response;
    });
    const client = createClient({ url, sdkKey: 'sb_server_test' });
    clients.push(client);
    await until(() => client.state().version === 1);
    stream?.write(sse('rollout-progress', 1, { version: 1, flag: 'support-bot', percent: 25 }));
    const killed = AI_SNAPSHOT.flags.find((f) => f.key === 'support-bot');
    stream?.write(
      sse('patch', 2, {
        version: 2,
        kind: 'flag',
        key: 'support-bot',
        value: { ...killed, enabled: false, version: 2 },
      }),
    );
    await until(() => client.state().version === 2);
    expect(client.killSwitch('support-bot')).not.toBeNull();
    expect(urls).toHaveLength(1);
  });
});
