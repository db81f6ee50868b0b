/**
 * Switchboard under load: `switchboard start` from source on the embedded store in a temporary data
 * directory, pinned to the server core, with the client rate limit out of the way. The benchmark flag,
 * a client key and a server key are created through the HTTP API with the admin key of the data dir.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLAG_KEY, RULE, SPLIT, VARIANTS } from '../eval/flag.js';
import { type BenchTarget, jsonRequest } from './bench-target.js';
import { SERVER_CORE, spawnPinned } from './pinned-process.js';
import { requestBodies } from './request-bodies.js';
import { CHECKED_USERS, servedProblems } from './served-check.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI_ENTRY = fileURLToPath(new URL('../../apps/server/src/cli-entry.ts', import.meta.url));
const ENVIRONMENT = 'production';
/** Requests per minute per key and IP: far above what one load generator sends. */
const UNTHROTTLED_PER_MINUTE = 1_000_000_000;
const START_TIMEOUT_MS = 60_000;
/** Weights are in units of 0.001%. */
const WEIGHT_PER_PERCENT = 1_000;

interface CreatedKey {
  key: string;
}

export async function startSwitchboard(): Promise<BenchTarget> {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-'));
  const server = spawnPinned(
    SERVER_CORE,
    [
      '--conditions=switchboard-source',
      '--import',
      'tsx',
      CLI_ENTRY,
      'start',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
    ],
    {
      ...process.env,
      NODE_ENV: 'production',
      SWITCHBOARD_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      SWITCHBOARD_CLIENT_RATE_LIMIT: String(UNTHROTTLED_PER_MINUTE),
    },
    REPO_ROOT,
  );
  const stop = async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const [, url = ''] = await server.waitFor(/listening on (http:\/\/\S+)/, START_TIMEOUT_MS);
    await jsonRequest('GET', `${url}/healthz`, {});
    const admin = { authorization: `Bearer ${(await readFile(join(dataDir, 'admin-key'), 'utf8')).trim()}` };

    await jsonRequest('POST', `${url}/api/v1/flags`, admin, {
      key: FLAG_KEY,
      kind: 'string',
      variants: VARIANTS.map((key) => ({ key, value: key })),
    });
    await jsonRequest('PATCH', `${url}/api/v1/flags/${FLAG_KEY}/environments/${ENVIRONMENT}`, admin, {
      version: 0,
      enabled: true,
      rules: [
        {
          clauses: [
            { attribute: 'tier', op: 'equals', values: [RULE.tier] },
            { attribute: 'region', op: 'in', values: [...RULE.regions] },
          ],
          serve: { variant: RULE.serve },
        },
      ],
      fallthrough: {
        split: SPLIT.map(({ variant, percent }) => ({ variant, weight: percent * WEIGHT_PER_PERCENT })),
      },
    });
    const key = (kind: string) =>
      jsonRequest<CreatedKey>('POST', `${url}/api/v1/keys`, admin, {
        name: `bench ${kind}`,
        kind,
        environment: ENVIRONMENT,
      });
    const client = { authorization: `Bearer ${(await key('client')).key}` };
    const serverKey = { authorization: `Bearer ${(await key('server')).key}` };

    const evaluateUrl = `${url}/api/v1/client/evaluate`;
    const { users, bodies } = requestBodies('switchboard', CHECKED_USERS);
    const problems = await servedProblems(users, async (index) => {
      const answer = await jsonRequest<{ flags: Record<string, { variant?: string }> }>(
        'POST',
        evaluateUrl,
        client,
        JSON.parse(bodies[index] as string),
      );
      return answer.flags[FLAG_KEY]?.variant;
    });
    if (problems.length > 0)
      throw new Error(`switchboard serves the flag wrongly:\n  ${problems.join('\n  ')}`);

    const snapshotUrl = `${url}/api/v1/sdk/snapshot`;
    const snapshot = await fetch(snapshotUrl, { headers: serverKey });
    const etag = snapshot.headers.get('etag');
    if (!snapshot.ok || etag === null)
      throw new Error(`GET ${snapshotUrl}: ${snapshot.status}, etag ${etag}`);
    const notModified = await fetch(snapshotUrl, { headers: { ...serverKey, 'if-none-match': etag } });
    const length = notModified.headers.get('content-length');
    const notes =
      notModified.status === 304 && length !== null && length !== '0'
        ? [
            `the 304 answer carries Content-Length: ${length} and no body; autocannon's parser (http-parser-js) ` +
              'then waits for a body that never comes, so the If-None-Match row measures nothing',
          ]
        : [];

    return {
      engine: 'switchboard',
      version: '0.1.0',
      endpoints: [
        {
          endpoint: 'POST /api/v1/client/evaluate',
          request: {
            url: evaluateUrl,
            method: 'POST',
            headers: { ...client, 'content-type': 'application/json' },
            bodies: 'switchboard',
          },
          expectedStatus: 200,
        },
        {
          endpoint: 'GET /api/v1/sdk/snapshot',
          request: { url: snapshotUrl, method: 'GET', headers: serverKey },
          expectedStatus: 200,
        },
        {
          endpoint: 'GET /api/v1/sdk/snapshot (If-None-Match)',
          request: { url: snapshotUrl, method: 'GET', headers: { ...serverKey, 'if-none-match': etag } },
          expectedStatus: 304,
        },
      ],
      notes,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
