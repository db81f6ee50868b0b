import { Command, CommanderError } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from './cli/exit-codes.js';
import { registerFlagCommands } from './cli/flag-commands.js';
import { registerKeyCommands } from './cli/key-commands.js';
import { registerKillCommand } from './cli/kill-command.js';
import { registerRolloutCommands } from './cli/rollout-commands.js';
import { registerServerCommands } from './cli/server-commands.js';
import { registerSimulateCommand } from './cli/simulate-command.js';
import { ConfigError } from './config.js';

export { EXIT } from './cli/exit-codes.js';

/** The `switchboard` command line. */
export function buildProgram(): Command {
  const program = new Command('switchboard')
    .description('Switchboard: feature flags and guarded rollouts for LLM changes')
    .version('0.1.0')
    .showHelpAfterError()
    // Thrown, not exited: runCli maps commander's errors to exit code 2.
    .exitOverride()
    .addHelpText(
      'after',
      '\nCommands other than start, demo and migrate talk to a running server: --url (SWITCHBOARD_URL, default ' +
        'http://127.0.0.1:7400), --key (SWITCHBOARD_API_KEY, else the admin-key file in --data-dir), ' +
        `--project (default "default"), --json for the server's JSON.\n\n${EXIT_CODES_HELP}`,
    );
  registerServerCommands(program);
  registerKeyCommands(program);
  registerFlagCommands(program);
  registerKillCommand(program);
  registerRolloutCommands(program);
  registerSimulateCommand(program);
  return program;
}

/**
 * Runs the CLI and sets `process.exitCode` (see {@link EXIT}): usage errors and invalid configuration
 * exit 2; a server's error status maps to its code; the server's message goes to stderr.
 */
export async function runCli(argv: string[]): Promise<void> {
  try {
    const program = buildProgram();
    refuseUnknownCommand(program, argv[2]);
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = exitCodeOf(error);
    // Commander has already printed its own errors (and help or the version, which exit 0).
    if (!(error instanceof CommanderError)) {
      console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/**
 * `start` is the default command, so commander would hand an unknown word to it ("too many
 * arguments for 'start'"); name the unknown command instead.
 */
function refuseUnknownCommand(program: Command, first: string | undefined): void {
  if (first === undefined || first.startsWith('-')) return;
  const known = program.commands.flatMap((command) => [command.name(), ...command.aliases()]);
  if (!known.includes(first) && first !== 'help') {
    program.error(`error: unknown command '${first}' (commands: ${known.join(', ')})`);
  }
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof ConfigError) return EXIT.usage;
  return EXIT.failed;
}
