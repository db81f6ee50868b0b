import {
  type EvaluationDetails,
  type EventDetails,
  type Hook,
  type JsonValue,
  OpenFeature,
  ProviderEvents,
  ProviderStatus,
} from '@openfeature/web-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SwitchboardWebProvider, type SwitchboardWebProviderOptions } from '../src/web/index.js';
import { type FlagServer, startFlagServer, switchableFetch } from './fixtures.js';

let server: FlagServer;
const handlers: [ProviderEvents, (details?: EventDetails) => void][] = [];

function provider(options: Partial<SwitchboardWebProviderOptions> = {}): SwitchboardWebProvider {
  return new SwitchboardWebProvider({ url: server.url, clientKey: server.clientKey, ...options });
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

/**
 * Resolves shortly after the provider's stream is connected (and attached on the server), so a
 * change made next is signalled on the stream rather than caught up on attach.
 */
function streamConnected(p: SwitchboardWebProvider): Promise<void> {
  return new Promise((resolve) => {
    const check = setInterval(() => {
      const client = p.client;
      if (client === undefined) return;
      clearInterval(check);
      const off = client.on('stream', (state) => {
        if (!state.connected) return;
        off();
        setTimeout(resolve, 200);
      });
    }, 1);
  });
}

beforeAll(async () => {
  server = await startFlagServer();
});

afterEach(async () => {
  for (const [type, handler] of handlers.splice(0)) OpenFeature.removeHandler(type, handler);
  OpenFeature.clearHooks();
  await OpenFeature.clearProviders();
  await OpenFeature.clearContexts();
});

afterAll(async () => {
  await server.app.destroy();
});

describe('SwitchboardWebProvider through an OpenFeature web client, against a running server', () => {
  it('resolves each type synchronously from the values fetched for the context', async () => {
    await OpenFeature.setProviderAndWait(provider(), { targetingKey: 'u1', plan: 'pro', beta: true });
    const client = OpenFeature.getClient();
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(client.getBooleanDetails('new-checkout', false)).toMatchObject({
      flagKey: 'new-checkout',
      value: true,
      variant: 'on',
      reason: 'TARGETING_MATCH',
    });
    expect(client.getStringValue('llm-model', 'fallback')).toBe('claude-sonnet');
    expect(client.getNumberDetails('max-tokens', 256)).toMatchObject({
      value: 4096,
      variant: 'long',
      reason: 'DEFAULT',
    });
    expect(client.getObjectValue('layout', { columns: 1 })).toEqual({ columns: 3 });
    expect(client.getBooleanDetails('rollout', false)).toMatchObject({ value: true, reason: 'SPLIT' });
    expect(client.getBooleanDetails('gated', false)).toMatchObject({ value: true, reason: 'DEFAULT' });
    const dormant = client.getStringDetails('dormant', 'asleep');
    expect(dormant).toMatchObject({ value: 'asleep', reason: 'DISABLED' });
    expect(dormant.variant).toBeUndefined();
  });

  it('reports not found, type mismatch and server-side errors with their codes', async () => {
    await OpenFeature.setProviderAndWait(provider(), { plan: 'free' });
    const client = OpenFeature.getClient();
    expect(client.getBooleanDetails('nope', true)).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    });
    expect(client.getNumberDetails('llm-model', 7)).toMatchObject({ value: 7, errorCode: 'TYPE_MISMATCH' });
    expect(client.getStringDetails('layout', 'flat')).toMatchObject({
      value: 'flat',
      errorCode: 'TYPE_MISMATCH',
    });
    expect(client.getObjectDetails('new-checkout', {})).toMatchObject({
      value: {},
      errorCode: 'TYPE_MISMATCH',
    });
    expect(client.getBooleanDetails('gated', true)).toMatchObject({
      value: false,
      reason: 'PREREQUISITE_FAILED',
    });
    // No targeting key: the server could not bucket the split.
    expect(client.getBooleanDetails('rollout', false)).toMatchObject({
      value: false,
      reason: 'ERROR',
      errorCode: 'TARGETING_KEY_MISSING',
    });
  });

  it('is not ready before initialize settles: OpenFeature answers PROVIDER_NOT_READY', async () => {
    OpenFeature.setProvider(provider(), { plan: 'pro' });
    // Registered after setProvider: a handler added while the provider is READY runs at once.
    const ready = next(ProviderEvents.Ready);
    const client = OpenFeature.getClient();
    expect(client.providerStatus).toBe(ProviderStatus.NOT_READY);
    expect(client.getBooleanDetails('new-checkout', false)).toMatchObject({
      value: false,
      errorCode: 'PROVIDER_NOT_READY',
    });
    await ready;
    expect(client.getBooleanValue('new-checkout', false)).toBe(true);
  });

  it('fetches again on a context change: RECONCILING, then CONTEXT_CHANGED, and no CONFIGURATION_CHANGED', async () => {
    await OpenFeature.setProviderAndWait(provider(), { targetingKey: 'u1', plan: 'free' });
    const client = OpenFeature.getClient();
    expect(client.getBooleanValue('new-checkout', true)).toBe(false);
    const reconciling = record(ProviderEvents.Reconciling);
    const configurationChanged = record(ProviderEvents.ConfigurationChanged);
    const contextChanged = next(ProviderEvents.ContextChanged);
    await OpenFeature.setContext({ targetingKey: 'u1', plan: 'pro' });
    await contextChanged;
    expect(reconciling).toHaveLength(1);
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(client.getBooleanValue('new-checkout', false)).toBe(true);
    expect(configurationChanged).toEqual([]);
  });

  it('emits CONFIGURATION_CHANGED with the flags whose value changed when the stream signals a change', async () => {
    const p = provider();
    const connected = streamConnected(p);
    await OpenFeature.setProviderAndWait(p, { targetingKey: 'u1' });
    await connected;
    const client = OpenFeature.getClient();
    const changed = next(ProviderEvents.ConfigurationChanged);
    await server.configure('max-tokens', { fallthrough: { variant: 'short' } });
    expect((await changed).flagsChanged).toEqual(['max-tokens']);
    expect(client.getNumberValue('max-tokens', 0)).toBe(1024);
    await server.configure('max-tokens', { fallthrough: { variant: 'long' } });
  });

  it('goes to ERROR on a refused key', async () => {
    const errors = record(ProviderEvents.Error);
    await expect(
      OpenFeature.setProviderAndWait(provider({ clientKey: 'sb_client_revokedorwrong00000000000000000' })),
    ).rejects.toThrow(/refused the client key \(401\)/);
    const client = OpenFeature.getClient();
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/refused/)]);
    expect(client.getBooleanDetails('new-checkout', true)).toMatchObject({
      value: true,
      errorCode: 'GENERAL',
    });
  });

  it('goes to ERROR when a context change cannot be fetched, and to READY once it is', async () => {
    const net = switchableFetch();
    await OpenFeature.setProviderAndWait(provider({ fetch: net.fetch, readyTimeoutMs: 300 }), {
      plan: 'free',
    });
    const client = OpenFeature.getClient();
    const errors = record(ProviderEvents.Error);
    net.offline();
    await OpenFeature.setContext({ plan: 'pro' });
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/unreachable/)]);
    // The values of the previous context are served meanwhile.
    expect(client.getBooleanValue('new-checkout', true)).toBe(false);
    const ready = next(ProviderEvents.Ready);
    net.online();
    await ready;
    expect(client.getBooleanValue('new-checkout', false)).toBe(true);
  });

  it('goes STALE when the stream stays down, and READY again when it is back', async () => {
    const net = switchableFetch();
    const p = provider({ fetch: net.fetch, staleAfterMs: 200 });
    const connected = streamConnected(p);
    await OpenFeature.setProviderAndWait(p, { plan: 'pro' });
    await connected;
    const client = OpenFeature.getClient();
    const stale = next(ProviderEvents.Stale);
    net.offline();
    expect((await stale).message).toMatch(/stream has been down/);
    expect(client.providerStatus).toBe(ProviderStatus.STALE);
    expect(client.getBooleanValue('new-checkout', false)).toBe(true);
    const ready = next(ProviderEvents.Ready);
    net.online();
    await ready;
    expect(client.providerStatus).toBe(ProviderStatus.READY);
  });

  it('runs hooks around the evaluation, with the context the values were fetched for', async () => {
    await OpenFeature.setProviderAndWait(provider(), { targetingKey: 'u1', plan: 'pro' });
    const seen: {
      stage: string;
      flagKey: string;
      context: unknown;
      details?: EvaluationDetails<JsonValue>;
    }[] = [];
    const hook: Hook = {
      before: (ctx) => {
        seen.push({ stage: 'before', flagKey: ctx.flagKey, context: { ...ctx.context } });
      },
      after: (ctx, details) => {
        seen.push({ stage: 'after', flagKey: ctx.flagKey, context: { ...ctx.context }, details });
      },
    };
    OpenFeature.addHooks(hook);
    expect(OpenFeature.getClient().getBooleanValue('new-checkout', false)).toBe(true);
    expect(seen).toEqual([
      { stage: 'before', flagKey: 'new-checkout', context: { targetingKey: 'u1', plan: 'pro' } },
      {
        stage: 'after',
        flagKey: 'new-checkout',
        context: { targetingKey: 'u1', plan: 'pro' },
        details: expect.objectContaining({ value: true, variant: 'on', reason: 'TARGETING_MATCH' }),
      },
    ]);
  });

  it('evaluates a domain against its own context', async () => {
    await OpenFeature.setProviderAndWait(provider(), { region: 'eu', tier: 'team', device: 'mobile' });
    await OpenFeature.setProviderAndWait('checkout', provider(), {
      region: 'us',
      tier: 'team',
      device: 'mobile',
    });
    expect(OpenFeature.getClient().getBooleanDetails('merged', false)).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
    });
    expect(OpenFeature.getClient('checkout').getBooleanValue('merged', true)).toBe(false);
  });
});
