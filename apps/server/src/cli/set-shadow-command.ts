import type { Command } from 'commander';
import { type EnvironmentView, type FlagView, flagPath } from './api-types.js';
import { connect } from './connection.js';
import { type EnvironmentOptions, versionChange, withEnvironmentOptions } from './environment-options.js';
import { CliError, EXIT } from './exit-codes.js';
import { print, printJson } from './output.js';

interface ShadowOptions extends EnvironmentOptions {
  variant?: string;
  rate?: string;
  off?: boolean;
}

/** A sample rate from the command line: a number in [0, 1]. */
function parseRate(text: string | undefined): number {
  const trimmed = text?.trim() ?? '';
  const rate = Number(trimmed);
  if (!/^\d+(\.\d+)?$/.test(trimmed) || rate > 1) {
    throw new CliError(
      `--rate: expected a number from 0 to 1, got ${JSON.stringify(text ?? '')}`,
      EXIT.usage,
    );
  }
  return rate;
}

/** `flags set-shadow`: name the variant run in shadow on a share of an ai-config flag's requests, or none. */
export function registerSetShadowCommand(flags: Command): void {
  withEnvironmentOptions(
    flags
      .command('set-shadow')
      .description(
        'Run a variant of an ai-config flag in shadow on a share of its requests (SDK and gateway): ' +
          'beside the served one, measured, never shown. --off removes it.',
      )
      .argument('<key>', 'the flag key')
      .option('--variant <variant>', 'the variant to run in shadow')
      .option('--rate <rate>', 'the share of requests, from 0 to 1 (e.g. 0.05)')
      .option('--off', 'no shadow'),
  ).action(async (key: string, options: ShadowOptions) => {
    if (options.off === true ? options.variant !== undefined : options.variant === undefined) {
      throw new CliError('give --variant and --rate, or --off', EXIT.usage);
    }
    const shadow =
      options.off === true
        ? null
        : { variant: options.variant as string, sampleRate: parseRate(options.rate) };
    const { api, project, json } = await connect(options);
    const flag = await api.get<FlagView>(flagPath(key), { project });
    const before = flag.environments[options.env];
    if (before === undefined) {
      throw new CliError(
        `environment ${JSON.stringify(options.env)} not found in project ${project}`,
        EXIT.notFound,
      );
    }
    const variants = flag.variants.map((v) => v.key);
    if (shadow !== null && !variants.includes(shadow.variant)) {
      throw new CliError(
        `--variant: flag ${key} has no variant ${JSON.stringify(shadow.variant)} (it has ${variants.join(', ')})`,
        EXIT.usage,
      );
    }
    const after = await api.patch<EnvironmentView>(
      flagPath(key, options.env),
      { project },
      { shadow, version: options.ifVersion ?? before.version },
    );
    if (json) return printJson(after);
    print(
      after.shadow === null
        ? `${key} in ${options.env}: no shadow (${versionChange(before, after)}).`
        : `${key} in ${options.env}: ${after.shadow.variant} runs in shadow on ${Number((after.shadow.sampleRate * 100).toFixed(3))}% of requests (${versionChange(before, after)}).`,
    );
  });
}
