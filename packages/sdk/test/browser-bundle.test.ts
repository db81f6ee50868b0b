import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ENTRY = fileURLToPath(new URL('../src/browser/index.ts', import.meta.url));

describe('the browser entry', () => {
  it('bundles for browsers with no Node built-ins and runs in a context without Node globals', async () => {
    const result = await build({
      entryPoints: [ENTRY],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'switchboard',
      conditions: ['switchboard-source'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => path.startsWith('node:') || path.includes('cache-file'))).toEqual([]);
    const code = result.outputFiles[0]?.text ?? '';
    expect(code).not.toMatch(/require\(|from "node:/);
    // A bare V8 context with only what browsers also have: no process, Buffer, require or node:events.
    const sandbox = createContext({ TextEncoder, TextDecoder, AbortController, setTimeout, clearTimeout });
    runInContext(code, sandbox);
    const run = runInContext(
      `(async () => {
        const fetch = async (url, init) => ({
          ok: true, status: 200, headers: { get: () => null }, body: null,
          json: async () => ({ flags: { f: { value: JSON.parse(init.body).context.plan === 'pro', variant: 'x', reason: 'TARGETING_MATCH' } } }),
        });
        const client = switchboard.createBrowserClient({ url: 'https://flags.example', clientKey: 'k', context: { plan: 'pro' }, stream: false, fetch });
        const state = await client.ready({ timeoutMs: 1000 });
        return { state, value: client.getBooleanValue('f', false), reason: client.evaluate('f', false).reason };
      })()`,
      sandbox,
    ) as Promise<unknown>;
    expect(await run).toEqual({
      state: { loaded: true, refused: false },
      value: true,
      reason: 'TARGETING_MATCH',
    });
    expect(runInContext('typeof process', sandbox)).toBe('undefined');
  });
});
