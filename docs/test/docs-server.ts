import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, createApp, loadConfig } from '@switchboard/server';
import { seedDemo } from '../../apps/server/src/features/demo/demo-seeder.js';

/** The project and environment whose server and client keys samples get. */
export const SAMPLE_PROJECT = 'default';
export const SAMPLE_ENVIRONMENT = 'production';

/** A server started for one page, and the environment its samples run with. */
export interface DocsServer {
  app: App;
  /** SWITCHBOARD_URL, SWITCHBOARD_ADMIN_KEY, SWITCHBOARD_SERVER_KEY, SWITCHBOARD_CLIENT_KEY, SWITCHBOARD_DATA_DIR. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts the real server on a fresh SQLite data dir, listening on a free loopback port, and creates a
 * server key and a client key for production through the HTTP API (as a reader of the docs would).
 * With `demo`, the demo's flags are seeded first.
 */
export async function startDocsServer(options: { demo: boolean }): Promise<DocsServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-docs-'));
  const config = loadConfig({}, { dataDir, logLevel: 'silent', port: 0, host: '127.0.0.1' });
  const app = await createApp(config, { shutdownGraceMs: 500 });
  try {
    const adminKey = app.bootstrapAdminKey;
    if (adminKey === undefined) throw new Error('the docs store was not empty: no admin key was created');
    if (options.demo) await seedDemo(app.services);
    const url = await app.http.listen({ port: 0, host: '127.0.0.1' });
    const env = {
      SWITCHBOARD_URL: url,
      SWITCHBOARD_ADMIN_KEY: adminKey,
      SWITCHBOARD_SERVER_KEY: await createKey(url, adminKey, 'server'),
      SWITCHBOARD_CLIENT_KEY: await createKey(url, adminKey, 'client'),
      SWITCHBOARD_DATA_DIR: dataDir,
    };
    return {
      app,
      env,
      async close() {
        await app.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function createKey(url: string, adminKey: string, kind: 'server' | 'client'): Promise<string> {
  const response = await fetch(`${url}/api/v1/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: `docs ${kind} key`,
      kind,
      project: SAMPLE_PROJECT,
      environment: SAMPLE_ENVIRONMENT,
    }),
  });
  const body = (await response.json()) as { key?: string; message?: string };
  if (response.status !== 201 || body.key === undefined) {
    throw new Error(`creating a ${kind} key answered ${response.status}: ${JSON.stringify(body)}`);
  }
  return body.key;
}
