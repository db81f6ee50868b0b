import {
  type EvaluationDetails,
  type EventDetails,
  type Hook,
  type JsonValue,
  OpenFeature,
  ProviderEvents,
  ProviderStatus,
} from '@openfeature/server-sdk';
import { createClient, type SwitchboardClient } from '@switchboard/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SwitchboardProvider, type SwitchboardProviderOptions } from '../src/index.js';
import { type FlagServer, startFlagServer, switchableFetch } from './fixtures.js';

let server: FlagServer;
const handlers: [ProviderEvents, (details?: EventDetails) => void][] = [];
const ownClients: SwitchboardClient[] = [];

function provider(options: Partial<SwitchboardProviderOptions> = {}): SwitchboardProvider {
  return new SwitchboardProvider({
    url: server.url,
    sdkKey: server.serverKey,
    ...options,
  } as SwitchboardProviderOptions);
}

/** Records every event of a type on the OpenFeature API (removed after each test). */
function record(type: ProviderEvents): EventDetails[] {
  const seen: EventDetails[] = [];
  const handler = (details?: EventDetails) => {
    if (details !== undefined) seen.push(details);
  };
  OpenFeature.addHandler(type, handler);
  handlers.push([type, handler]);
  return seen;
}

/** Resolves with the details of the next event of a type. */
function next(type: ProviderEvents): Promise<EventDetails> {
  return new Promise((resolve) => {
    const handler = (details?: EventDetails) => {
      OpenFeature.removeHandler(type, handler);
      resolve(details as EventDetails);
    };
    OpenFeature.addHandler(type, handler);
    handlers.push([type, handler]);
  });
}

/** Resolves shortly after the client's stream is connected (and attached on the server). */
function streamConnected(client: SwitchboardClient): Promise<void> {
  return new Promise((resolve) => {
    const onStream = (state: { connected: boolean }) => {
      if (!state.connected) return;
      client.off('stream', onStream);
      setTimeout(resolve, 200);
    };
    client.on('stream', onStream);
  });
}

beforeAll(async () => {
  server = await startFlagServer();
});

afterEach(async () => {
  for (const [type, handler] of handlers.splice(0)) OpenFeature.removeHandler(type, handler);
  OpenFeature.clearHooks();
  await OpenFeature.clearProviders();
  OpenFeature.setContext({});
  await Promise.all(ownClients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.app.destroy();
});

describe('SwitchboardProvider through an OpenFeature client, against a running server', () => {
  it('resolves each type with the value, variant, reason and rule', async () => {
    await OpenFeature.setProviderAndWait(provider());
    const client = OpenFeature.getClient();
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(
      await client.getBooleanDetails('new-checkout', false, { targetingKey: 'u1', plan: 'pro' }),
    ).toMatchObject({
      flagKey: 'new-checkout',
      value: true,
      variant: 'on',
      reason: 'TARGETING_MATCH',
      flagMetadata: { ruleId: 'pro' },
    });
    expect(await client.getBooleanValue('new-checkout', true, { targetingKey: 'u1' })).toBe(false);
    expect(
      await client.getStringDetails('llm-model', 'fallback', { targetingKey: 'u1', beta: true }),
    ).toMatchObject({
      value: 'claude-sonnet',
      variant: 'candidate',
      reason: 'TARGETING_MATCH',
    });
    expect(await client.getStringDetails('llm-model', 'fallback', { targetingKey: 'u1' })).toMatchObject({
      value: 'gpt-4o',
      variant: 'control',
      reason: 'DEFAULT',
      flagMetadata: {},
    });
    expect(await client.getNumberDetails('max-tokens', 256)).toMatchObject({ value: 4096, variant: 'long' });
    expect(await client.getObjectDetails('layout', { columns: 1 })).toMatchObject({
      value: { columns: 3 },
      variant: 'grid',
      reason: 'DEFAULT',
    });
    expect(await client.getBooleanDetails('rollout', false, { targetingKey: 'u1' })).toMatchObject({
      value: true,
      reason: 'SPLIT',
    });
    expect(await client.getBooleanDetails('gated', true, { targetingKey: 'u1' })).toMatchObject({
      value: false,
      variant: 'off',
      reason: 'PREREQUISITE_FAILED',
    });
    const dormant = await client.getStringDetails('dormant', 'asleep');
    expect(dormant).toMatchObject({ value: 'asleep', reason: 'DISABLED' });
    expect(dormant.variant).toBeUndefined();
  });

  it('reports a default of the wrong type, and a value of the wrong type, as TYPE_MISMATCH', async () => {
    await OpenFeature.setProviderAndWait(provider());
    const client = OpenFeature.getClient();
    // Core's check: the default is not of the flag's kind.
    expect(await client.getNumberDetails('llm-model', 7)).toMatchObject({
      value: 7,
      reason: 'ERROR',
      errorCode: 'TYPE_MISMATCH',
    });
    expect(await client.getObjectDetails('new-checkout', { on: true })).toMatchObject({
      value: { on: true },
      errorCode: 'TYPE_MISMATCH',
    });
    expect(await client.getBooleanValue('max-tokens', true)).toBe(true);
    // The provider's check: a json flag accepts any default, but serves an object to a string getter.
    const layout = await client.getStringDetails('layout', 'flat');
    expect(layout).toMatchObject({ value: 'flat', reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    expect(layout.variant).toBeUndefined();
  });

  it('reports flags not found and missing targeting keys with their error codes', async () => {
    await OpenFeature.setProviderAndWait(provider());
    const client = OpenFeature.getClient();
    expect(await client.getBooleanDetails('nope', true)).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
      errorMessage: 'no flag "nope"',
    });
    expect(await client.getBooleanDetails('rollout', false, { plan: 'pro' })).toMatchObject({
      value: false,
      reason: 'ERROR',
      errorCode: 'TARGETING_KEY_MISSING',
    });
  });

  it('is not ready before initialize settles: OpenFeature answers PROVIDER_NOT_READY', async () => {
    OpenFeature.setProvider(provider());
    // Registered after setProvider: a handler added while the provider is READY runs at once.
    const ready = next(ProviderEvents.Ready);
    const client = OpenFeature.getClient();
    expect(client.providerStatus).toBe(ProviderStatus.NOT_READY);
    expect(await client.getBooleanDetails('new-checkout', true, { plan: 'pro' })).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: 'PROVIDER_NOT_READY',
    });
    expect((await ready).providerName).toBe('Switchboard');
    expect(await client.getBooleanValue('new-checkout', false, { plan: 'pro' })).toBe(true);
  });

  it('emits CONFIGURATION_CHANGED with the changed flag keys after a change through the admin API', async () => {
    const p = provider();
    const connected = streamConnected(p.client);
    await OpenFeature.setProviderAndWait(p);
    // Wait for the stream, so the change below arrives as a stream event (what this test is about)
    // rather than in the catch-up a stream gets when it attaches.
    await connected;
    const client = OpenFeature.getClient();
    const seenByClient: EventDetails[] = [];
    client.addHandler(ProviderEvents.ConfigurationChanged, (d) => d && seenByClient.push(d));
    const changed = next(ProviderEvents.ConfigurationChanged);
    await server.configure('max-tokens', { fallthrough: { variant: 'short' } });
    expect((await changed).flagsChanged).toEqual(['max-tokens']);
    expect(seenByClient.map((d) => d.flagsChanged)).toEqual([['max-tokens']]);
    expect(await client.getNumberValue('max-tokens', 0)).toBe(1024);
    await server.configure('max-tokens', { fallthrough: { variant: 'long' } });
  });

  it('goes to ERROR on a refused key, and keeps serving the bootstrap', async () => {
    const errors = record(ProviderEvents.Error);
    const p = provider({
      sdkKey: 'sb_server_revokedorwrong0000000000000000',
      bootstrap: {
        flags: [
          {
            key: 'kept',
            kind: 'string',
            variants: [{ key: 'b', value: 'bootstrapped' }],
            salt: 's',
            enabled: true,
            targets: [],
            rules: [],
            fallthrough: { variant: 'b' },
            prerequisites: [],
            version: 1,
          },
        ],
        segments: [],
      },
    });
    await expect(OpenFeature.setProviderAndWait(p)).rejects.toThrow(/refused the SDK key \(401\)/);
    const client = OpenFeature.getClient();
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/refused/)]);
    expect(await client.getStringValue('kept', 'x')).toBe('bootstrapped');
  });

  it('goes to ERROR with nothing to serve, and to READY when the server answers', async () => {
    const errors = record(ProviderEvents.Error);
    const net = switchableFetch();
    net.offline();
    const p = provider({ fetch: net.fetch, readyTimeoutMs: 100 });
    await expect(OpenFeature.setProviderAndWait(p)).rejects.toThrow(/unreachable/);
    const client = OpenFeature.getClient();
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(errors).toHaveLength(1);
    expect(await client.getBooleanDetails('new-checkout', true)).toMatchObject({
      value: true,
      errorCode: 'FLAG_NOT_FOUND',
    });
    const ready = next(ProviderEvents.Ready);
    net.online();
    await ready;
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(await client.getBooleanValue('new-checkout', false, { plan: 'pro' })).toBe(true);
  });

  it('serves a bootstrap as STALE while the server is unreachable', async () => {
    const net = switchableFetch();
    net.offline();
    const stale = next(ProviderEvents.Stale);
    await OpenFeature.setProviderAndWait(
      provider({ fetch: net.fetch, readyTimeoutMs: 100, bootstrap: { flags: [], segments: [] } }),
    );
    expect((await stale).message).toMatch(/unreachable/);
    expect(OpenFeature.getClient().providerStatus).toBe(ProviderStatus.STALE);
  });

  it('goes STALE when the stream stays down, and READY again when it is back', async () => {
    const net = switchableFetch();
    const p = provider({ fetch: net.fetch, staleAfterMs: 200 });
    const connected = streamConnected(p.client);
    await OpenFeature.setProviderAndWait(p);
    const client = OpenFeature.getClient();
    await connected;
    const stale = next(ProviderEvents.Stale);
    net.offline();
    expect((await stale).message).toMatch(/stream has been down/);
    expect(client.providerStatus).toBe(ProviderStatus.STALE);
    // Still served from the last snapshot.
    expect(await client.getBooleanValue('new-checkout', false, { plan: 'pro' })).toBe(true);
    const ready = next(ProviderEvents.Ready);
    net.online();
    await ready;
    expect(client.providerStatus).toBe(ProviderStatus.READY);
  });

  it('runs hooks around the evaluation', async () => {
    await OpenFeature.setProviderAndWait(provider());
    const seen: {
      stage: string;
      flagKey: string;
      context: unknown;
      details?: EvaluationDetails<JsonValue>;
    }[] = [];
    const hook: Hook = {
      before: (ctx) => {
        seen.push({ stage: 'before', flagKey: ctx.flagKey, context: { ...ctx.context } });
        return { plan: 'pro' };
      },
      after: (ctx, details) => {
        seen.push({ stage: 'after', flagKey: ctx.flagKey, context: { ...ctx.context }, details });
      },
    };
    const client = OpenFeature.getClient();
    client.addHooks(hook);
    // The before hook's context reaches the provider: plan 'pro' matches the rule.
    expect(await client.getBooleanValue('new-checkout', false, { targetingKey: 'u1' })).toBe(true);
    expect(seen).toEqual([
      { stage: 'before', flagKey: 'new-checkout', context: { targetingKey: 'u1' } },
      {
        stage: 'after',
        flagKey: 'new-checkout',
        context: { targetingKey: 'u1', plan: 'pro' },
        details: expect.objectContaining({ value: true, variant: 'on', reason: 'TARGETING_MATCH' }),
      },
    ]);
  });

  it('evaluates the merged global, client and invocation contexts, the invocation winning', async () => {
    await OpenFeature.setProviderAndWait(provider());
    OpenFeature.setContext({ region: 'eu', tier: 'free' });
    const client = OpenFeature.getClient();
    client.setContext({ tier: 'team' });
    expect(
      await client.getBooleanDetails('merged', false, { targetingKey: 'u1', device: 'mobile' }),
    ).toMatchObject({ value: true, reason: 'TARGETING_MATCH', flagMetadata: { ruleId: 'all' } });
    expect(await client.getBooleanValue('merged', true, { device: 'mobile', tier: 'enterprise' })).toBe(
      false,
    );
    expect(await client.getBooleanValue('merged', true, { device: 'desktop' })).toBe(false);
  });

  it('compares Date attributes as dates', async () => {
    await OpenFeature.setProviderAndWait(provider());
    const client = OpenFeature.getClient();
    expect(
      await client.getBooleanValue('launch', false, { signedUpAt: new Date('2025-06-01T00:00:00Z') }),
    ).toBe(true);
    expect(
      await client.getBooleanValue('launch', true, { signedUpAt: new Date('2026-06-01T00:00:00Z') }),
    ).toBe(false);
  });

  it('uses a client of your own, records exposures through it, and leaves it open on close', async () => {
    const own = createClient({ url: server.url, sdkKey: server.serverKey });
    ownClients.push(own);
    await OpenFeature.setProviderAndWait(new SwitchboardProvider({ client: own }));
    expect(await OpenFeature.getClient().getBooleanValue('rollout', false, { targetingKey: 'u9' })).toBe(
      true,
    );
    expect(own.eventStats().queued).toBe(1);
    await OpenFeature.clearProviders();
    expect(own.evaluate('rollout', { targetingKey: 'u9' }).value).toBe(true);
    expect(own.state().source).toBe('server');
  });
});
