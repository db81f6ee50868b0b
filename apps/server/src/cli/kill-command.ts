import type { Command } from 'commander';
import type { EnvironmentView } from './api-types.js';
import { connect } from './connection.js';
import { type EnvironmentOptions, withEnvironmentOptions } from './environment-options.js';
import { print, printJson } from './output.js';
import { setEnabled } from './set-enabled.js';

function servedWhenOff(config: EnvironmentView): string {
  const served = config.offVariant === null ? "each caller's default value" : `"${config.offVariant}"`;
  const retry =
    config.retryAfterSeconds === null ? '' : `; SDKs answer retryAfterSeconds ${config.retryAfterSeconds}`;
  return `${served}${retry}`;
}

/** `switchboard kill <flag> --env <env>`: the kill switch. */
export function registerKillCommand(program: Command): void {
  withEnvironmentOptions(
    program
      .command('kill')
      .description(
        'Kill switch: turn a flag off in one environment now. Every SDK serves its off variant within ' +
          'milliseconds. Retries when another change lands at the same moment.',
      )
      .argument('<flag>', 'the flag key'),
  )
    .addHelpText('after', '\nExample: switchboard kill llm-model --env production')
    .action(async (flag: string, options: EnvironmentOptions) => {
      const { api, project, json } = await connect(options);
      const result = await setEnabled(api, {
        project,
        flag,
        environment: options.env,
        enabled: false,
        ifVersion: options.ifVersion,
      });
      if (json) return printJson(result.after);
      const retried = result.conflicts === 0 ? '' : ` after ${result.conflicts} concurrent change(s)`;
      print(
        result.changed
          ? `Killed ${flag} in ${options.env}: disabled at version ${result.after.version} (was ${result.before.version})${retried}.`
          : `${flag} was already off in ${options.env} (version ${result.after.version}); nothing changed.`,
        `Everyone in ${options.env} is now served ${servedWhenOff(result.after)}.`,
      );
    });
}
