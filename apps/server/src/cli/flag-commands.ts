import type { Command } from 'commander';
import { registerFlagReadCommands } from './flag-read-commands.js';
import { registerFlagWriteCommands } from './flag-write-commands.js';
import { registerSetRolloutCommand } from './set-rollout-command.js';
import { registerSetShadowCommand } from './set-shadow-command.js';

/** `switchboard flags ...`. */
export function registerFlagCommands(program: Command): void {
  const flags = program
    .command('flags')
    .description('List, show, create, turn on and off, roll out and shadow flags (needs an admin key)');
  registerFlagReadCommands(flags);
  registerFlagWriteCommands(flags);
  registerSetRolloutCommand(flags);
  registerSetShadowCommand(flags);
}
