import type { Command } from 'commander';
import { type EnvironmentView, type FlagView, flagPath } from './api-types.js';
import { connect } from './connection.js';
import { type EnvironmentOptions, versionChange, withEnvironmentOptions } from './environment-options.js';
import { CliError, EXIT } from './exit-codes.js';
import { print, printJson } from './output.js';
import { defaultControl, describeServe, parsePercent, rolloutServe } from './rollout-split.js';

interface RolloutOptions extends EnvironmentOptions {
  variant: string;
  percent: string;
  control?: string;
}

/**
 * `flags set-rollout`: the fallthrough of one environment becomes a split, the candidate first with
 * `percent` and the control with the rest.
 */
export function registerSetRolloutCommand(flags: Command): void {
  withEnvironmentOptions(
    flags
      .command('set-rollout')
      .description(
        "Serve a percentage of an environment's fallthrough the candidate variant and the rest the control. " +
          'The candidate comes first in the split, so raising the percentage never moves anyone out of it.',
      )
      .argument('<key>', 'the flag key')
      .requiredOption('--variant <candidate>', 'the variant being rolled out')
      .requiredOption('--percent <percent>', 'its share, 0 to 100 with up to 3 decimals (e.g. 2.5)')
      .option(
        '--control <variant>',
        "who gets the rest (default: the environment's off variant, or the first other)",
      ),
  ).action(async (key: string, options: RolloutOptions) => {
    const weight = parsePercent(options.percent);
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
    for (const [option, variant] of [
      ['--variant', options.variant],
      ['--control', options.control],
    ] as const) {
      if (variant !== undefined && !variants.includes(variant)) {
        throw new CliError(
          `${option}: flag ${key} has no variant ${JSON.stringify(variant)} (it has ${variants.join(', ')})`,
          EXIT.usage,
        );
      }
    }
    const control = options.control ?? defaultControl(variants, before, options.variant);
    const fallthrough = rolloutServe(options.variant, control, weight, before.fallthrough);
    const after = await api.patch<EnvironmentView>(
      flagPath(key, options.env),
      { project },
      {
        fallthrough,
        version: options.ifVersion ?? before.version,
      },
    );
    if (json) return printJson(after);
    print(
      `${key} in ${options.env}: fallthrough now serves ${describeServe(after.fallthrough)} (${versionChange(before, after)}).`,
      ...(after.enabled
        ? []
        : [
            `It is off in ${options.env}: nobody gets the split until: switchboard flags enable ${key} --env ${options.env}`,
          ]),
    );
  });
}
