import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** apps/dashboard. */
export const DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST_INDEX = join(DASHBOARD_DIR, 'dist', 'index.html');
const LOCK = join(
  tmpdir(),
  `switchboard-dashboard-build-${Buffer.from(DASHBOARD_DIR).toString('hex').slice(-24)}.lock`,
);
const STALE_LOCK_MS = 120_000;

async function newestUnder(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return path.endsWith('.test.ts') ? 0 : info.mtimeMs;
  let newest = 0;
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestUnder(join(path, entry)));
  return newest;
}

/** Whether dist/ is missing or older than any source it is built from. */
async function stale(): Promise<boolean> {
  let built: number;
  try {
    built = (await stat(DIST_INDEX)).mtimeMs;
  } catch {
    return true;
  }
  const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'].map((p) =>
    join(DASHBOARD_DIR, p),
  );
  const newest = Math.max(...(await Promise.all(sources.map(newestUnder))));
  return newest > built;
}

async function build(): Promise<void> {
  const require = createRequire(import.meta.url);
  const vitePackage = require.resolve('vite/package.json', { paths: [DASHBOARD_DIR] });
  const bin = (JSON.parse(await readFile(vitePackage, 'utf8')) as { bin: { vite: string } }).bin.vite;
  await promisify(execFile)(
    process.execPath,
    [join(dirname(vitePackage), bin), 'build', '--logLevel', 'warn'],
    {
      cwd: DASHBOARD_DIR,
      // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
}

/**
 * Builds the dashboard when dist/ is missing or stale (under CI, `npm ci` has built it). Test files
 * run in parallel: a lock directory makes one build while the others wait for it.
 */
export async function ensureDashboardBuilt(): Promise<void> {
  for (;;) {
    if (!(await stale())) return;
    try {
      await mkdir(LOCK);
    } catch {
      const held = await stat(LOCK).catch(() => undefined);
      if (held !== undefined && Date.now() - held.mtimeMs > STALE_LOCK_MS)
        await rm(LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    try {
      if (await stale()) await build();
      return;
    } finally {
      await rm(LOCK, { recursive: true, force: true });
    }
  }
}
