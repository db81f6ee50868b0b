import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ENTRY = fileURLToPath(new URL('../src/index.ts', import.meta.url));

describe('the main entry', () => {
  it('bundles for browsers with no Node built-ins (the SDK’s browser entry may reach it)', async () => {
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
    expect(inputs.filter((path) => path.startsWith('node:') || path.includes('/testing/'))).toEqual([]);
    expect(result.outputFiles[0]?.text ?? '').not.toMatch(/require\(|from "node:/);
  });
});
