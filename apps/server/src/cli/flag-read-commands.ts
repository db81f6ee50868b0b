import type { Command } from 'commander';
import { type FlagView, flagPath, type Page } from './api-types.js';
import { type ConnectionOptions, connect, withConnectionOptions } from './connection.js';
import { clip, print, printJson, table } from './output.js';
import { describeServe } from './rollout-split.js';

/** The largest page the server gives; `flags list` follows the cursor to the end. */
const PAGE_SIZE = 500;
const DESCRIPTION_WIDTH = 50;

interface ListOptions extends ConnectionOptions {
  tag?: string[];
  q?: string;
}

function onOff(flag: FlagView, environment: string): string {
  const config = flag.environments[environment];
  return config === undefined ? '-' : config.enabled ? 'on' : 'off';
}

/** `flags list` and `flags get`. */
export function registerFlagReadCommands(flags: Command): void {
  withConnectionOptions(
    flags
      .command('list')
      .description('List the flags of a project, with whether each is on in each environment')
      .option('--tag <tag...>', 'only flags having every tag given')
      .option('--q <text>', 'only flags whose key, name or description contains the text'),
  ).action(async (options: ListOptions) => {
    const { api, project, json } = await connect(options);
    const items: FlagView[] = [];
    let cursor: string | undefined;
    do {
      const page: Page<FlagView> = await api.get('/api/v1/flags', {
        project,
        tag: options.tag,
        q: options.q,
        limit: String(PAGE_SIZE),
        cursor,
      });
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    if (json) return printJson({ items });
    if (items.length === 0) return print('No flags.');
    const environments = [...new Set(items.flatMap((f) => Object.keys(f.environments)))];
    print(
      table(
        ['key', 'kind', ...environments, 'tags', 'description'],
        items.map((f) => [
          f.key,
          f.kind,
          ...environments.map((env) => onOff(f, env)),
          f.tags.join(',') || '-',
          clip(f.description, DESCRIPTION_WIDTH),
        ]),
      ),
    );
  });

  withConnectionOptions(
    flags
      .command('get')
      .description('Show a flag: its variants and what it serves in each environment')
      .argument('<key>', 'the flag key'),
  ).action(async (key: string, options: ConnectionOptions) => {
    const { api, project, json } = await connect(options);
    const flag = await api.get<FlagView>(flagPath(key), { project });
    if (json) return printJson(flag);
    print(
      `${flag.key} (${flag.kind}${flag.archived ? ', archived' : ''}), version ${flag.version}` +
        (flag.description === '' ? '' : `: ${flag.description}`),
      `tags: ${flag.tags.join(', ') || '-'}   change type: ${flag.changeType}`,
      '',
      table(
        ['variant', 'value'],
        flag.variants.map((v) => [v.key, clip(JSON.stringify(v.value) ?? 'null', 80)]),
      ),
      '',
      table(
        ['environment', 'state', 'version', 'serves', 'rules', 'targets', 'off variant'],
        Object.entries(flag.environments).map(([env, config]) => [
          env,
          config.enabled ? 'on' : 'off',
          String(config.version),
          describeServe(config.fallthrough),
          String(config.rules.length),
          String(config.targets.length),
          config.offVariant ?? '(caller default)',
        ]),
      ),
    );
  });
}
