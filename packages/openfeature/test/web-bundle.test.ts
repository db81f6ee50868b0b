import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ENTRY = fileURLToPath(new URL('../src/web/index.ts', import.meta.url));

describe('the web provider', () => {
  it('bundles for browsers without Node built-ins, and without the server SDK or provider', async () => {
    const result = await build({
      entryPoints: [ENTRY],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      conditions: ['switchboard-source'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.includes('@openfeature/web-sdk'))).toBe(true);
    expect(
      inputs.filter((path) =>
        /^node:|server-sdk|switchboard-provider|sdk\/src\/client\.ts|cache-file/.test(path),
      ),
    ).toEqual([]);
    // `__require` is esbuild's own CommonJS wrapper (for eventemitter3), not a call to Node's require.
    expect(result.outputFiles[0]?.text).not.toMatch(/\brequire\(|from "node:/);
  });
});
