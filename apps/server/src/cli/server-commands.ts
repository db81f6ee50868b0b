import { type Command, Option } from 'commander';
import { type Config, type ConfigOverrides, loadConfig } from '../config.js';
import { CONFIG_FILE_VARIABLE } from '../config-file.js';
import type { DemoOptions } from '../features/demo/start-demo.js';
import { demoOptionsOf, withDemoOptions } from './demo-options.js';

/** How the settings' sources rank, printed in the help of start, demo and migrate. */
const PRECEDENCE_HELP =
  '\nSettings: each comes from the first of these that has it: flags, then environment variables, then ' +
  "the JSON file named by --config (SWITCHBOARD_CONFIG), then the defaults. The file's keys are the " +
  'camelCase config fields, e.g. {"port": 8080, "databaseUrl": "postgres://...", ' +
  '"clientRateLimitPerMinute": 600, "streamHeartbeatMs": 15000}; an unknown key or a bad value stops the ' +
  'start with exit code 2, naming the key.';

function startOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--config <file>', 'JSON configuration file (below flags and environment)').env(
        CONFIG_FILE_VARIABLE,
      ),
    )
    .addHelpText('after', PRECEDENCE_HELP)
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
    )
    .addOption(
      new Option('--event-retention-days <days>', 'days raw events are kept for export (default 30)').env(
        'SWITCHBOARD_EVENT_RETENTION_DAYS',
      ),
    );
}

/** The configuration of a start command: its flags over the environment over its --config file. */
function configOf(options: Record<string, unknown>): Config {
  const configFile = typeof options.config === 'string' ? options.config : undefined;
  return loadConfig(process.env, overrides(options), { configFile });
}

function overrides(options: Record<string, unknown>): ConfigOverrides {
  return {
    port: options.port,
    host: options.host,
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    redisUrl: options.redisUrl,
    logLevel: options.logLevel,
    eventRetentionDays: options.eventRetentionDays,
  };
}

/** Starts the server, with the demo when asked for. */
async function start(config: Config, demo: DemoOptions | undefined): Promise<void> {
  // Loaded here, not at the top: the commands that only talk to a server start faster without it.
  const { startServer } = await import('../main.js');
  if (demo === undefined) {
    await startServer(config);
    return;
  }
  const { startDemo } = await import('../features/demo/start-demo.js');
  await startServer(config, console.log, (app, address) => startDemo(app, address, demo, console.log));
}

/** `switchboard start` (the default command), `switchboard demo` and `switchboard migrate`. */
export function registerServerCommands(program: Command): void {
  withDemoOptions(
    startOptions(
      program.command('start', { isDefault: true }).description('Start the server (the default command)'),
    ),
    { needsDemoFlag: true },
  ).action(async (options: Record<string, unknown>) => {
    const demo = demoOptionsOf(options, false);
    await start(configOf(options), demo);
  });

  withDemoOptions(
    startOptions(
      program
        .command('demo')
        .description(
          'Start the server with a demo: LLM flags in the default project, and simulated traffic (no provider, no network)',
        ),
    ),
    { needsDemoFlag: false },
  )
    .addHelpText(
      'after',
      '\nSeeds, in project default, production: llm-model (an ai-config flag, control gpt-4o and candidate ' +
        'gpt-4o-mini, simulated, split 50/50), prompt-variant (system prompt A or B, 50/50) and ai-agent ' +
        "(a kill switch), through the API's services and audit log. Demo flags already there are kept as " +
        'they are, changes included; no other flag is touched. On the first start it also writes ' +
        '--demo-history hours of past ' +
        'traffic; then simulated users send --demo-rate requests per second: each resolves the flags, calls ' +
        'the simulated model of its variant (with fallback), and records exposures, generations and ' +
        'feedback.\n\nSame as: switchboard start --demo',
    )
    .action(async (options: Record<string, unknown>) => {
      const demo = demoOptionsOf(options, true);
      await start(configOf(options), demo);
    });

  startOptions(program.command('migrate').description('Apply pending database migrations and exit')).action(
    async (options: Record<string, unknown>) => {
      const config = configOf(options);
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
