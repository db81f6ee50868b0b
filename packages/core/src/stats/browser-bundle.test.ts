import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const STATS_ENTRY = fileURLToPath(new URL('./index.ts', import.meta.url));
const MAIN_ENTRY = fileURLToPath(new URL('../index.ts', import.meta.url));

describe('the stats subpath in browsers', () => {
  it('bundles with no Node built-ins and runs in a context without Node globals', async () => {
    const result = await build({
      entryPoints: [STATS_ENTRY],
      bundle: true,
      minify: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'stats',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const code = result.outputFiles[0]?.text ?? '';
    expect(code).not.toMatch(/require\(|from"node:/);
    const sandbox = createContext({});
    runInContext(code, sandbox);
    const pValue = runInContext('stats.sampleRatioMismatch([1000, 1200], [1, 1]).pValue', sandbox);
    expect(pValue).toBeCloseTo(0.000020079, 9);
  });

  it('stays out of the main entry, which the SDK bundles for browsers', async () => {
    const result = await build({
      entryPoints: [MAIN_ENTRY],
      bundle: true,
      platform: 'browser',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => path.includes('@stdlib') || path.includes('/stats/'))).toEqual([]);
  });
});
