import { Command, Option } from 'commander';
import { ConfigError, type ConfigOverrides, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrations.js';
import { startServer } from './main.js';

/** What the CLI's exit codes mean, for scripts. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  unreachable: 3,
  notFound: 4,
  conflict: 5,
  denied: 6,
} as const;

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

/** The `switchboard` command line. */
export function buildProgram(): Command {
  const program = new Command('switchboard')
    .description('Switchboard: feature flags and guarded rollouts for LLM changes')
    .version('0.1.0')
    .showHelpAfterError()
    .addHelpText(
      'after',
      `\nExit codes: 0 ok, 1 failed, 2 usage error, 3 server unreachable, 4 not found, 5 conflict, 6 unauthorized or forbidden.`,
    );

  startOptions(
    program.command('start', { isDefault: true }).description('Start the server (the default command)'),
  ).action(async (options: Record<string, unknown>) => {
    await startServer(loadConfig(process.env, overrides(options)));
  });

  startOptions(program.command('migrate').description('Apply pending database migrations and exit')).action(
    async (options: Record<string, unknown>) => {
      const config = loadConfig(process.env, overrides(options));
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

  return program;
}

/** Runs the CLI; maps configuration errors to exit code 2 with their message. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exitCode = EXIT.usage;
      return;
    }
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = EXIT.failed;
  }
}
