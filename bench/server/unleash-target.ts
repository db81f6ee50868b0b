/**
 * The peer: unleash-server (OSS) on PostgreSQL, its frontend API (`POST /api/frontend`, the endpoint
 * browsers call with a context) under the same load. A fresh database each run (`unleash_bench`,
 * dropped and created through the `pg` that unleash-server itself depends on); the flag is created
 * through its admin API as eval/engines/unleash.ts states it: a `default` strategy with the two
 * constraints and the one variant, then a 100% `flexibleRollout` with variants 900/50/50 (weights
 * fixed but the last: Unleash shares "variable" weights equally among what the fixed ones leave).
 */

import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { FLAG_KEY, RULE, SPLIT } from '../eval/flag.js';
import { packageVersion } from '../eval/package-version.js';
import { type BenchTarget, jsonRequest } from './bench-target.js';
import { SERVER_CORE, spawnPinned } from './pinned-process.js';
import { requestBodies } from './request-bodies.js';
import { CHECKED_USERS, servedProblems } from './served-check.js';

const BENCH_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));
const PROCESS = fileURLToPath(new URL('./unleash-process.ts', import.meta.url));
/** The PostgreSQL server; the benchmark owns the `unleash_bench` database on it. */
export const UNLEASH_POSTGRES_URL =
  process.env.UNLEASH_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'unleash_bench';
const ADMIN_TOKEN = '*:*.switchboard-bench-admin-token';
const FRONTEND_TOKEN = 'default:production.switchboard-bench-frontend-token';
const START_TIMEOUT_MS = 120_000;
const SERVED_TIMEOUT_MS = 60_000;
/** Unleash variant weights total 1000. */
const WEIGHT_PER_PERCENT = 10;

interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

async function recreateDatabase(): Promise<string> {
  // unleash-server's own dependency: the benchmark declares no database driver of its own.
  const fromUnleash = createRequire(createRequire(import.meta.url).resolve('unleash-server'));
  const { Client } = fromUnleash('pg') as { Client: new (options: { connectionString: string }) => PgClient };
  const client = new Client({ connectionString: UNLEASH_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`drop database if exists ${DATABASE} with (force)`);
    await client.query(`create database ${DATABASE}`);
  } finally {
    await client.end();
  }
  const url = new URL(UNLEASH_POSTGRES_URL);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function createFlag(url: string): Promise<void> {
  const admin = { authorization: ADMIN_TOKEN };
  for (const name of ['tier', 'region']) {
    await jsonRequest('POST', `${url}/api/admin/context`, admin, { name, stickiness: false });
  }
  const feature = `${url}/api/admin/projects/default/features`;
  await jsonRequest('POST', feature, admin, { name: FLAG_KEY, type: 'experiment' });
  const strategies = `${feature}/${FLAG_KEY}/environments/production/strategies`;
  // Unleash wants at least one "variable" variant, which takes what the "fix" ones leave (here 50).
  const variants = (entries: readonly { name: string; weight: number }[]) =>
    entries.map(({ name, weight }, i) => ({
      name,
      weight,
      weightType: i === entries.length - 1 ? 'variable' : 'fix',
      stickiness: 'default',
    }));
  await jsonRequest('POST', strategies, admin, {
    name: 'default',
    parameters: {},
    constraints: [
      { contextName: 'tier', operator: 'IN', values: [RULE.tier] },
      { contextName: 'region', operator: 'IN', values: [...RULE.regions] },
    ],
    variants: variants([{ name: RULE.serve, weight: 1000 }]),
  });
  await jsonRequest('POST', strategies, admin, {
    name: 'flexibleRollout',
    parameters: { rollout: '100', stickiness: 'default', groupId: FLAG_KEY },
    constraints: [],
    variants: variants(
      SPLIT.map(({ variant, percent }) => ({ name: variant, weight: percent * WEIGHT_PER_PERCENT })),
    ),
  });
  await jsonRequest('POST', `${feature}/${FLAG_KEY}/environments/production/on`, admin);
}

/** Unleash's frontend API serves from a cache it refreshes on its own schedule: wait for the flag. */
async function untilServed(evaluateUrl: string, frontend: Record<string, string>): Promise<void> {
  const started = Date.now();
  for (;;) {
    const answer = await jsonRequest<{ toggles: { name: string }[] }>('POST', evaluateUrl, frontend, {
      context: { userId: 'probe' },
    });
    if (answer.toggles.some((toggle) => toggle.name === FLAG_KEY)) {
      process.stderr.write(`unleash-server: frontend API serves the flag after ${Date.now() - started} ms\n`);
      return;
    }
    if (Date.now() - started > SERVED_TIMEOUT_MS) {
      throw new Error(`the frontend API did not serve ${FLAG_KEY} within ${SERVED_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function startUnleash(): Promise<BenchTarget> {
  const databaseUrl = await recreateDatabase();
  const port = await freePort();
  const server = spawnPinned(
    SERVER_CORE,
    ['--import', 'tsx', PROCESS],
    {
      ...process.env,
      NODE_ENV: 'production',
      SEND_TELEMETRY: 'false',
      CHECK_VERSION: 'false',
      UNLEASH_BENCH_PORT: String(port),
      UNLEASH_BENCH_DATABASE_URL: databaseUrl,
      UNLEASH_BENCH_ADMIN_TOKEN: ADMIN_TOKEN,
      UNLEASH_BENCH_FRONTEND_TOKEN: FRONTEND_TOKEN,
    },
    BENCH_DIRECTORY,
  );
  try {
    const [, url = ''] = await server.waitFor(/listening on (http:\/\/\S+)/, START_TIMEOUT_MS);
    await createFlag(url);
    const evaluateUrl = `${url}/api/frontend`;
    const frontend = { authorization: FRONTEND_TOKEN };
    await untilServed(evaluateUrl, frontend);
    const { users, bodies } = requestBodies('unleash', CHECKED_USERS);
    const problems = await servedProblems(users, async (index) => {
      const answer = await jsonRequest<{ toggles: { name: string; variant?: { name: string } }[] }>(
        'POST',
        evaluateUrl,
        frontend,
        JSON.parse(bodies[index] as string),
      );
      return answer.toggles.find((toggle) => toggle.name === FLAG_KEY)?.variant?.name;
    });
    if (problems.length > 0)
      throw new Error(`unleash-server serves the flag wrongly:\n  ${problems.join('\n  ')}`);
    return {
      engine: 'unleash-server',
      version: packageVersion('unleash-server'),
      endpoints: [
        {
          endpoint: 'POST /api/frontend',
          request: {
            url: evaluateUrl,
            method: 'POST',
            headers: { ...frontend, 'content-type': 'application/json' },
            bodies: 'unleash',
          },
          expectedStatus: 200,
        },
      ],
      notes: [],
      stop: () => server.stop(),
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
