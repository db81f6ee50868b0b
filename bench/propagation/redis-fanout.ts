/**
 * Whether the two-replica run can measure anything: the server must carry changes between replicas
 * over Redis (DESIGN.md §4: a RedisChangeBus behind REDIS_URL), and a Redis must answer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_REDIS_URL = process.env.SWITCHBOARD_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SERVER_SOURCES = fileURLToPath(new URL('../../apps/server/src', import.meta.url));
const PING_TIMEOUT_MS = 2_000;

function sources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Answers `+PONG` to a PING, or the reason it did not. */
function pingRedis(url: string): Promise<string | undefined> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    const done = (problem: string | undefined) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(PING_TIMEOUT_MS, () => done(`no answer from Redis at ${url}`));
    socket.once('error', (error) => done(`Redis at ${url}: ${error.message}`));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) =>
      done(data.toString().startsWith('+PONG') ? undefined : `Redis at ${url} answered ${data}`),
    );
  });
}

/** undefined when the run can go ahead; otherwise why it is pending. */
export async function fanoutPending(): Promise<string | undefined> {
  const files = sources(SERVER_SOURCES).map((path) => readFileSync(path, 'utf8'));
  const declared = files.some((text) => /class RedisChangeBus\b/.test(text));
  const used = files.filter((text) => /\bRedisChangeBus\b/.test(text)).length >= 2;
  if (!declared || !used)
    return 'the server has no Redis fan-out yet (no RedisChangeBus wired in apps/server/src)';
  return pingRedis(BENCH_REDIS_URL);
}
