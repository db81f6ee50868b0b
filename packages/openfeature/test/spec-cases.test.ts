import { type EvaluationDetails, type FlagValue, OpenFeature } from '@openfeature/server-sdk';
import type { Snapshot } from '@switchboard/core';
import { createClient, type SwitchboardClient } from '@switchboard/sdk';
import { type CaseFile, loadCaseFiles, type SpecCase, toExpectation } from '@switchboard/spec';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SwitchboardProvider } from '../src/index.js';

type Getter = 'boolean' | 'string' | 'number' | 'object';

const clients: SwitchboardClient[] = [];
afterEach(async () => {
  await OpenFeature.clearProviders();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

/**
 * The getter an application would call: the object getter for json and ai-config flags (OpenFeature's
 * object default is any JSON value), else the getter of the default's type (a default of the wrong type
 * is how a type mismatch happens), or of the flag's kind when the case gives no default.
 */
function getterFor(file: CaseFile, c: SpecCase): Getter {
  const kind = (file.snapshot.flags as { key?: unknown; kind?: unknown }[]).find(
    (f) => f.key === c.flag,
  )?.kind;
  if (kind === 'json' || kind === 'ai-config') return 'object';
  const type = typeof (c.default === undefined
    ? { boolean: true, string: '', number: 0 }[kind as string]
    : c.default);
  return type === 'boolean' || type === 'string' || type === 'number' ? type : 'object';
}

function isObjectContext(context: unknown): context is Record<string, never> {
  return typeof context === 'object' && context !== null && !Array.isArray(context);
}

// Every case, through OpenFeature's client and the provider, must give what core gives: same value,
// variant, reason, error code, and the rule (as flagMetadata.ruleId).
describe.each(loadCaseFiles())('$path through the OpenFeature server provider', (file) => {
  it('resolves every case as the case file says', async () => {
    const client = createClient({
      url: 'http://127.0.0.1:9',
      sdkKey: 'sb_server_unused',
      bootstrap: file.snapshot as unknown as Snapshot,
      stream: false,
      fetch: async () => {
        throw new Error('offline');
      },
    });
    clients.push(client);
    const provider = new SwitchboardProvider({ client, readyTimeoutMs: 20 });
    await OpenFeature.setProviderAndWait(provider);
    const openFeature = OpenFeature.getClient();
    for (const c of file.cases) {
      const getter = getterFor(file, c);
      const fallback = c.default as FlagValue;
      let details: Omit<EvaluationDetails<FlagValue>, 'flagKey'>;
      if (isObjectContext(c.context)) {
        const run = {
          boolean: () => openFeature.getBooleanDetails(c.flag, fallback as boolean, c.context as never),
          string: () => openFeature.getStringDetails(c.flag, fallback as string, c.context as never),
          number: () => openFeature.getNumberDetails(c.flag, fallback as number, c.context as never),
          object: () => openFeature.getObjectDetails(c.flag, fallback as never, c.context as never),
        }[getter];
        details = await run();
      } else {
        // OpenFeature merges contexts into an object, so a context that is not one can only reach the
        // provider directly.
        const resolve = {
          boolean: () => provider.resolveBooleanEvaluation(c.flag, fallback as boolean, c.context as never),
          string: () => provider.resolveStringEvaluation(c.flag, fallback as string, c.context as never),
          number: () => provider.resolveNumberEvaluation(c.flag, fallback as number, c.context as never),
          object: () => provider.resolveObjectEvaluation(c.flag, fallback as never, c.context as never),
        }[getter];
        details = { flagMetadata: {}, ...(await resolve()) };
      }
      const ruleId = details.flagMetadata?.ruleId;
      expect(
        toExpectation({
          ...details,
          reason: String(details.reason),
          ruleId: typeof ruleId === 'string' ? ruleId : undefined,
        }),
        `${c.name} (${getter})`,
      ).toEqual(c.expect);
    }
  });
});
