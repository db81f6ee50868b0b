import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.js';

interface StreamEvent {
  event: string;
  data: { version: number; kind?: string; key?: string; value?: { enabled?: boolean } };
}

/** Reads server-sent events from a streaming response as they arrive. */
async function* sseEvents(response: Response): AsyncGenerator<StreamEvent> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const field = (name: string) =>
        block
          .split('\n')
          .find((l) => l.startsWith(`${name}: `))
          ?.slice(name.length + 2);
      yield { event: field('event') ?? 'message', data: JSON.parse(field('data') ?? 'null') };
    }
  }
}

describe('GET /api/v1/sdk/stream with an admin key (the dashboard)', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    base = await t.http.listen({ port: 0, host: '127.0.0.1' });
    const created = await t.request('POST', '/api/v1/flags', {
      key: 'checkout',
      kind: 'boolean',
      variants: [
        { key: 'on', value: true },
        { key: 'off', value: false },
      ],
    });
    expect(created.status).toBe(201);
    expect(
      (await t.request('POST', '/api/v1/flags/checkout/environments/production/enable', { version: 0 }))
        .status,
    ).toBe(200);
  });
  afterAll(async () => t.destroy());

  const open = (query: string, signal?: AbortSignal) =>
    fetch(`${base}/api/v1/sdk/stream${query}`, {
      headers: { authorization: `Bearer ${t.adminKey}`, accept: 'text/event-stream' },
      ...(signal === undefined ? {} : { signal }),
    });

  it('streams the environment named in the query: a put, then the kill switch as a patch', async () => {
    const abort = new AbortController();
    const response = await open('?project=default&environment=production', abort.signal);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = sseEvents(response);
    const first = (await events.next()).value as StreamEvent;
    expect(first.event).toBe('put');
    const disabled = await t.request('POST', '/api/v1/flags/checkout/environments/production/disable', {
      version: 1,
    });
    expect(disabled.status).toBe(200);
    const next = (await events.next()).value as StreamEvent;
    expect(next).toMatchObject({
      event: 'patch',
      data: { kind: 'flag', key: 'checkout', value: { enabled: false } },
    });
    expect(next.data.version).toBeGreaterThan(first.data.version);
    abort.abort();
  });

  it('sends drain events only to streams that ask for them: SDKs that do not know them never see one', async () => {
    const abort = new AbortController();
    const asking = sseEvents(
      await open('?project=default&environment=production&events=drain', abort.signal),
    );
    const plain = sseEvents(await open('?project=default&environment=production', abort.signal));
    expect((await asking.next()).value?.event).toBe('put');
    expect((await plain.next()).value?.event).toBe('put');
    const write = async (action: string, version: number) =>
      expect(
        (await t.request('POST', `/api/v1/flags/checkout/environments/production/${action}`, { version }))
          .status,
      ).toBe(200);
    await write('enable', 2);
    await write('disable', 3);
    // The kill reaches both streams; only the one that asked is then told to drain the flag.
    expect((await asking.next()).value).toMatchObject({ event: 'patch', data: { value: { enabled: true } } });
    expect((await asking.next()).value).toMatchObject({
      event: 'patch',
      data: { value: { enabled: false } },
    });
    const drain = (await asking.next()).value as StreamEvent & { data: { flag?: string; reason?: string } };
    expect(drain).toMatchObject({ event: 'drain', data: { flag: 'checkout' } });
    expect(drain.data.reason).toMatch(/kill switch/);
    await write('enable', 4);
    const seen = [(await plain.next()).value, (await plain.next()).value, (await plain.next()).value];
    expect(seen.map((e) => `${e?.event}:${e?.data.value?.enabled}`)).toEqual([
      'patch:true',
      'patch:false',
      'patch:true',
    ]);
    abort.abort();
  });

  it('refuses an admin stream that names no environment, or an unknown one', async () => {
    const none = await open('');
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({ field: 'querystring.environment' });
    expect((await open('?environment=nowhere')).status).toBe(404);
  });

  it('still refuses requests without a key', async () => {
    const response = await fetch(`${base}/api/v1/sdk/stream?environment=production`);
    expect(response.status).toBe(401);
  });
});
