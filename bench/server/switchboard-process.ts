/**
 * A Switchboard server in a process of its own: the built `switchboard start` (call
 * `buildWorkspaces()` first, so a stale `dist/` is never measured) in a fresh temporary data directory, pinned to one core,
 * on the embedded store unless the environment names PostgreSQL (DATABASE_URL) or Redis (REDIS_URL).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonRequest } from './bench-target.js';
import { cpuProfileArgs, type PinnedProcess, spawnPinned } from './pinned-process.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built `switchboard` command; see built-workspaces.ts (callers build first). */
const CLI_ENTRY = fileURLToPath(new URL('../../apps/server/bin/switchboard.js', import.meta.url));
const START_TIMEOUT_MS = 60_000;

export interface SwitchboardProcess {
  url: string;
  /** `authorization` with the admin key the server created for its empty store; none on a store it found filled. */
  admin: Record<string, string> | undefined;
  process: PinnedProcess;
  /** Stops the process and removes its data directory. */
  stop(): Promise<void>;
}

export async function startSwitchboardProcess(
  core: number,
  env: Record<string, string> = {},
): Promise<SwitchboardProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-'));
  const server = spawnPinned(
    core,
    [...cpuProfileArgs(), CLI_ENTRY, 'start', '--port', '0', '--host', '127.0.0.1'],
    { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', SWITCHBOARD_DATA_DIR: dataDir, ...env },
    REPO_ROOT,
  );
  const stop = async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const [, url = ''] = await server.waitFor(/listening on (http:\/\/\S+)/, START_TIMEOUT_MS);
    await jsonRequest('GET', `${url}/healthz`, {});
    const key = await readFile(join(dataDir, 'admin-key'), 'utf8').catch(() => undefined);
    return {
      url,
      admin: key === undefined ? undefined : { authorization: `Bearer ${key.trim()}` },
      process: server,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The SDK streams a replica holds now, from its `/metrics`. */
export async function streamCount(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^switchboard_sdk_streams\{kind="server"\} (\d+)$/m.exec(text);
  return match === null ? 0 : Number(match[1]);
}
