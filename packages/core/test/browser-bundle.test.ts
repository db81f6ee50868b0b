import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ENTRY = fileURLToPath(new URL('../src/index.ts', import.meta.url));

describe('the browser bundle', () => {
  it('bundles for browsers with no Node built-ins and evaluates in a context without Node globals', async () => {
    const result = await build({
      entryPoints: [ENTRY],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'switchboard',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const code = result.outputFiles[0]?.text ?? '';
    expect(code).not.toMatch(/require\(|from "node:/);
    // A bare V8 context: no process, no Buffer, no require; only what browsers also have.
    const sandbox = createContext({ TextEncoder });
    runInContext(code, sandbox);
    const value = runInContext(
      `switchboard.evaluate(switchboard.compileSnapshot({ segments: [], flags: [{ key: 'f', kind: 'boolean', salt: 's',
        variants: [{ key: 'on', value: true }, { key: 'off', value: false }], enabled: true, targets: [], prerequisites: [],
        rules: [{ id: 'r', clauses: [{ attribute: 'tier', op: 'in', values: ['pro'] }], serve: { variant: 'on' } }],
        fallthrough: { variant: 'off' }, version: 1 }] }), 'f', { targetingKey: 'u', tier: 'pro' }).value`,
      sandbox,
    );
    expect(value).toBe(true);
    expect(runInContext('typeof process', sandbox)).toBe('undefined');
  });
});
