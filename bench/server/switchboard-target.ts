/**
 * Switchboard under load: `switchboard start` from source on the embedded store in a temporary data
 * directory, pinned to the server core, with the client rate limit out of the way. The benchmark flag,
 * a client key and a server key are created through the HTTP API with the admin key of the data dir.
 */
import { FLAG_KEY } from '../eval/flag.js';
import { SWITCHBOARD_TARGETING, SWITCHBOARD_VARIANTS } from '../eval/switchboard-flag.js';
import { type BenchTarget, jsonRequest } from './bench-target.js';
import { SERVER_CORE } from './pinned-process.js';
import { requestBodies } from './request-bodies.js';
import { CHECKED_USERS, servedProblems } from './served-check.js';
import { startSwitchboardProcess } from './switchboard-process.js';

const ENVIRONMENT = 'production';
/** Requests per minute per key and IP: far above what one load generator sends. */
const UNTHROTTLED_PER_MINUTE = 1_000_000_000;

interface CreatedKey {
  key: string;
}

export async function startSwitchboard(): Promise<BenchTarget> {
  const server = await startSwitchboardProcess(SERVER_CORE, {
    SWITCHBOARD_CLIENT_RATE_LIMIT: String(UNTHROTTLED_PER_MINUTE),
  });
  const { url, stop } = server;
  try {
    const admin = server.admin;
    if (admin === undefined) throw new Error('the benchmark server started without an admin key');

    await jsonRequest('POST', `${url}/api/v1/flags`, admin, {
      key: FLAG_KEY,
      kind: 'string',
      variants: SWITCHBOARD_VARIANTS,
    });
    await jsonRequest('PATCH', `${url}/api/v1/flags/${FLAG_KEY}/environments/${ENVIRONMENT}`, admin, {
      version: 0,
      enabled: true,
      ...SWITCHBOARD_TARGETING,
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
