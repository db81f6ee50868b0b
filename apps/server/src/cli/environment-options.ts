import { type Command, InvalidArgumentError } from 'commander';
import type { EnvironmentView } from './api-types.js';
import { type ConnectionOptions, withConnectionOptions } from './connection.js';

/** The options of a command that changes a flag in one environment. */
export interface EnvironmentOptions extends ConnectionOptions {
  env: string;
  ifVersion?: number;
}

/** A configuration version from the command line: a whole number ≥ 0. */
export function parseVersion(text: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError('expected a version number (0, 1, 2...)');
  return Number(text);
}

/** Adds --env (required), --if-version and the connection options to a command. */
export function withEnvironmentOptions(command: Command): Command {
  return withConnectionOptions(
    command
      .requiredOption('--env <env>', 'the environment, e.g. production')
      .option(
        '--if-version <version>',
        "change only if the environment's configuration is still at this version (else exit 5)",
        parseVersion,
      ),
  );
}

/** `version 3 → 4`. */
export function versionChange(before: EnvironmentView, after: EnvironmentView): string {
  return `version ${before.version} → ${after.version}`;
}
