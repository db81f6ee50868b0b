import { join } from 'node:path';
import { type App, createApp } from './app.js';
import type { Config } from './config.js';
import { ADMIN_KEY_FILE } from './features/api-keys/api-key-service.js';

/**
 * Of the shutdown's time (`shutdownTimeoutMs`), what is kept for the work after the last requests:
 * writing their events and generations, closing the store. In-flight requests get the rest.
 */
const SHUTDOWN_RESERVE_MS = 2_000;

/** How long in-flight requests may run on after a shutdown begins: what the reserve leaves, at least half. */
export function shutdownGraceOf(shutdownTimeoutMs: number): number {
  return Math.max(shutdownTimeoutMs - SHUTDOWN_RESERVE_MS, Math.floor(shutdownTimeoutMs / 2));
}

/** Something started beside the server once it listens (the demo's traffic), stopped before it closes. */
export interface Companion {
  stop(): Promise<void>;
}

/**
 * Starts the server: builds the app, listens, prints where it is (and the admin key, once, on a fresh
 * store), starts the companion if given, and closes cleanly on SIGTERM or SIGINT (the companion first):
 * see `App.close` for the order. It exits 0 once closed, 1 when that took longer than
 * `config.shutdownTimeoutMs` (SWITCHBOARD_SHUTDOWN_TIMEOUT_MS, default 10 s) or failed.
 * A companion that fails to start closes the server and fails the start.
 */
export async function startServer(
  config: Config,
  out: (line: string) => void = console.log,
  companion?: (app: App, address: string) => Promise<Companion>,
): Promise<App> {
  const app = await createApp(config, { shutdownGraceMs: shutdownGraceOf(config.shutdownTimeoutMs) });
  const address = await app.http.listen({ port: config.port, host: config.host });
  out(`Switchboard is listening on ${address} (store: ${app.database.location})`);
  out(`  Dashboard: ${address}/`);
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
  let started: Companion | undefined;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    const began = performance.now();
    out(`${signal}: closing... (at most ${config.shutdownTimeoutMs} ms)`);
    const timer = setTimeout(() => {
      out(`${signal}: not closed within ${config.shutdownTimeoutMs} ms; exiting anyway`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    const stopped = started?.stop().catch(() => {}) ?? Promise.resolve();
    stopped
      .then(() => app.close())
      .then(
        () => {
          out(`${signal}: closed in ${Math.round(performance.now() - began)} ms`);
          process.exit(0);
        },
        (error: unknown) => {
          out(`${signal}: closing failed: ${error instanceof Error ? error.message : String(error)}`);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  if (companion !== undefined) {
    try {
      started = await companion(app, address);
    } catch (error) {
      // A signal arrived meanwhile: the shutdown under way owns the close.
      if (closing) return app;
      closing = true;
      await app.close();
      throw error;
    }
    // A signal arrived while it started: the shutdown did not know of it.
    if (closing) await started.stop().catch(() => {});
  }
  return app;
}
