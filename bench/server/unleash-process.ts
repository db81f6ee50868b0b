/**
 * unleash-server in a process of its own, pinned to the server core by unleash-target.ts:
 * `node --import tsx server/unleash-process.ts` with UNLEASH_BENCH_* settings in the environment.
 * Prints `listening on <url>` once it serves.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// CommonJS, without types we need: start() takes its options object and resolves when it listens.
const unleash = require('unleash-server') as { start(options: unknown): Promise<unknown> };

const setting = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const port = Number(setting('UNLEASH_BENCH_PORT'));
const database = new URL(setting('UNLEASH_BENCH_DATABASE_URL'));

await unleash.start({
  db: {
    host: database.hostname,
    port: Number(database.port || 5432),
    user: decodeURIComponent(database.username),
    password: decodeURIComponent(database.password),
    database: database.pathname.slice(1),
    ssl: false,
  },
  server: { port, host: '127.0.0.1' },
  logLevel: 'error',
  versionCheck: { enable: false },
  authentication: {
    initApiTokens: [
      {
        tokenName: 'bench-admin',
        type: 'admin',
        project: '*',
        environment: '*',
        secret: setting('UNLEASH_BENCH_ADMIN_TOKEN'),
      },
      {
        tokenName: 'bench-frontend',
        type: 'frontend',
        project: 'default',
        environment: 'production',
        secret: setting('UNLEASH_BENCH_FRONTEND_TOKEN'),
      },
    ],
  },
});
process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
