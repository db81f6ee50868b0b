import { ChangeType, FlagKind } from '@switchboard/core';
import { type Command, Option } from 'commander';
import type { FlagView } from './api-types.js';
import { type ConnectionOptions, connect, withConnectionOptions } from './connection.js';
import { type EnvironmentOptions, versionChange, withEnvironmentOptions } from './environment-options.js';
import { parseVariants } from './flag-variants.js';
import { print, printJson } from './output.js';
import { setEnabled } from './set-enabled.js';

interface CreateOptions extends ConnectionOptions {
  kind: string;
  variants?: string;
  description?: string;
  name?: string;
  tag?: string[];
  changeType?: string;
}

/** `flags create`, `flags enable` and `flags disable`. */
export function registerFlagWriteCommands(flags: Command): void {
  withConnectionOptions(
    flags
      .command('create')
      .description('Create a flag; it starts off in every environment')
      .argument('<key>', 'the flag key: lowercase letters and digits, separated by - _ or .')
      .addOption(
        new Option('--kind <kind>', 'what its variants hold')
          .choices(Object.values(FlagKind))
          .makeOptionMandatory(),
      )
      .option(
        '--variants <json>',
        'the variants: [{"key":..,"value":..}] or {"key": value, ...} (boolean flags default to on=true, off=false)',
      )
      .option('--name <name>', 'a display name (default: the key)')
      .option('--description <text>', 'what the flag is for')
      .option('--tag <tag...>', 'tags, e.g. --tag llm chat')
      .addOption(new Option('--change-type <type>', 'what it rolls out').choices(Object.values(ChangeType))),
  ).action(async (key: string, options: CreateOptions) => {
    const variants = parseVariants(options.variants, options.kind);
    const { api, project, json } = await connect(options);
    const flag = await api.post<FlagView>(
      '/api/v1/flags',
      { project },
      {
        key,
        kind: options.kind,
        variants,
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(options.description === undefined ? {} : { description: options.description }),
        ...(options.tag === undefined ? {} : { tags: options.tag }),
        ...(options.changeType === undefined ? {} : { changeType: options.changeType }),
      },
    );
    if (json) return printJson(flag);
    print(
      `Created ${flag.kind} flag ${flag.key} in project ${flag.project} with variants ${flag.variants.map((v) => v.key).join(', ')}.`,
      `It is off in every environment; turn it on with: switchboard flags enable ${flag.key} --env <env>`,
    );
  });

  for (const enabled of [true, false]) {
    const verb = enabled ? 'enable' : 'disable';
    withEnvironmentOptions(
      flags
        .command(verb)
        .description(
          enabled
            ? 'Turn a flag on in one environment (it then serves its rules and fallthrough)'
            : 'Turn a flag off in one environment (it then serves its off variant to everyone)',
        )
        .argument('<key>', 'the flag key'),
    ).action(async (key: string, options: EnvironmentOptions) => {
      const { api, project, json } = await connect(options);
      const result = await setEnabled(api, {
        project,
        flag: key,
        environment: options.env,
        enabled,
        ifVersion: options.ifVersion,
      });
      if (json) return printJson(result.after);
      const state = enabled ? 'on' : 'off';
      print(
        result.changed
          ? `${key} is now ${state} in ${options.env} (${versionChange(result.before, result.after)}).`
          : `${key} was already ${state} in ${options.env} (version ${result.after.version}); nothing changed.`,
      );
    });
  }
}
