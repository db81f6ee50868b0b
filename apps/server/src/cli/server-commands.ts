import { type Command, Option } from 'commander';
import { type ConfigOverrides, loadConfig } from '../config.js';

function startOptions(command: Command): Command {
  return command
    .addOption(new Option('--port <port>', 'port to listen on').env('PORT'))
    .addOption(new Option('--host <host>', 'address to listen on').env('HOST'))
    .addOption(
      new Option('--data-dir <dir>', 'where the embedded store and admin-key live').env(
        'SWITCHBOARD_DATA_DIR',
      ),
    )
    .addOption(
      new Option('--database-url <url>', 'PostgreSQL URL (embedded SQLite when unset)').env('DATABASE_URL'),
    )
    .addOption(new Option('--redis-url <url>', 'Redis URL for fan-out between replicas').env('REDIS_URL'))
    .addOption(
      new Option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent').env('LOG_LEVEL'),
    );
}

function overrides(options: Record<string, unknown>): ConfigOverrides {
  return {
    port: options.port,
    host: options.host,
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    redisUrl: options.redisUrl,
    logLevel: options.logLevel,
  };
}

/** `switchboard start` (the default command) and `switchboard migrate`. */
export function registerServerCommands(program: Command): void {
  startOptions(
    program.command('start', { isDefault: true }).description('Start the server (the default command)'),
  ).action(async (options: Record<string, unknown>) => {
    const config = loadConfig(process.env, overrides(options));
    // Loaded here, not at the top: the commands that only talk to a server start faster without it.
    const { startServer } = await import('../main.js');
    await startServer(config);
  });

  startOptions(program.command('migrate').description('Apply pending database migrations and exit')).action(
    async (options: Record<string, unknown>) => {
      const config = loadConfig(process.env, overrides(options));
      const { openDatabase } = await import('../db/database.js');
      const { migrateToLatest } = await import('../db/migrations.js');
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const applied = await migrateToLatest(database.db as never, database.dialect);
        console.log(
          applied.length === 0
            ? `${database.location}: up to date`
            : `${database.location}: applied ${applied.join(', ')}`,
        );
      } finally {
        await database.close();
      }
    },
  );
}
