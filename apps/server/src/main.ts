import { join } from 'node:path';
import { type App, createApp } from './app.js';
import type { Config } from './config.js';
import { ADMIN_KEY_FILE } from './features/api-keys/api-key-service.js';

/** How long a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * Starts the server: builds the app, listens, prints where it is (and the admin key, once, on a fresh
 * store), and closes cleanly on SIGTERM or SIGINT.
 */
export async function startServer(config: Config, out: (line: string) => void = console.log): Promise<App> {
  const app = await createApp(config);
  const address = await app.http.listen({ port: config.port, host: config.host });
  out(`Switchboard is listening on ${address} (store: ${app.database.location})`);
  out(`  API docs:  ${address}/docs`);
  if (app.bootstrapAdminKey !== undefined) {
    out('');
    out('  An admin key was created for this fresh store. It is shown once, here, and saved to');
    out(`  ${join(config.dataDir, ADMIN_KEY_FILE)} (mode 0600) for the CLI and dashboard on this machine:`);
    out('');
    out(`    ${app.bootstrapAdminKey}`);
    out('');
  }
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    out(`${signal}: closing...`);
    const timer = setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  return app;
}
