import { type Command, InvalidArgumentError, Option } from 'commander';
import type { DemoOptions } from '../features/demo/start-demo.js';
import { CliError, EXIT } from './exit-codes.js';

const DEFAULT_REQUESTS_PER_SECOND = 5;
const DEFAULT_HISTORY_HOURS = 48;
const DEFAULT_SEED = 'switchboard';
/** Beyond these, a typo more likely than a wish (and a history that long takes a while to write). */
const MAX_REQUESTS_PER_SECOND = 500;
const MAX_HISTORY_HOURS = 168;

function numberIn(name: string, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > max) {
      throw new InvalidArgumentError(`${name} must be a number from 0 to ${max}.`);
    }
    return value;
  };
}

/**
 * The demo's options, on `switchboard demo` and (with `--demo`, which they need there) on `start`.
 */
export function withDemoOptions(command: Command, { needsDemoFlag }: { needsDemoFlag: boolean }): Command {
  if (needsDemoFlag) {
    command.addOption(
      new Option(
        '--demo',
        'seed the demo flags and send them simulated traffic (see switchboard demo --help)',
      ),
    );
  }
  return command
    .addOption(
      new Option(
        '--demo-rate <requests/s>',
        `simulated requests per second in production; 0 seeds the flags only (default ${DEFAULT_REQUESTS_PER_SECOND})`,
      ).argParser(numberIn('--demo-rate', MAX_REQUESTS_PER_SECOND)),
    )
    .addOption(
      new Option(
        '--demo-history <hours>',
        `hours of past traffic written when the demo flags are created (default ${DEFAULT_HISTORY_HOURS}, 0 with --demo-rate 0)`,
      ).argParser(numberIn('--demo-history', MAX_HISTORY_HOURS)),
    )
    .addOption(
      new Option(
        '--demo-seed <seed>',
        `seed of the simulated users, answers and feedback (default "${DEFAULT_SEED}")`,
      ),
    );
}

/** The demo options given, or undefined when no demo was asked for; `--demo-*` without `--demo` is a usage error. */
export function demoOptionsOf(options: Record<string, unknown>, always: boolean): DemoOptions | undefined {
  if (!always && options.demo !== true) {
    const stray = ['demoRate', 'demoHistory', 'demoSeed'].find((name) => options[name] !== undefined);
    if (stray !== undefined) {
      const flag = `--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      throw new CliError(`${flag} needs --demo (or use switchboard demo)`, EXIT.usage);
    }
    return undefined;
  }
  const requestsPerSecond = (options.demoRate as number | undefined) ?? DEFAULT_REQUESTS_PER_SECOND;
  return {
    requestsPerSecond,
    // No traffic means no history either, unless asked for.
    historyHours:
      (options.demoHistory as number | undefined) ?? (requestsPerSecond > 0 ? DEFAULT_HISTORY_HOURS : 0),
    seed: (options.demoSeed as string | undefined) ?? DEFAULT_SEED,
  };
}
