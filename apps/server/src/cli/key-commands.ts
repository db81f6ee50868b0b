import { type Command, Option } from 'commander';
import type { CreatedKey, KeyView, Page } from './api-types.js';
import { type ConnectionOptions, connect, withConnectionOptions } from './connection.js';
import { CliError, EXIT } from './exit-codes.js';
import { print, printJson, shortTime, table } from './output.js';

const KEY_KINDS = ['admin', 'server', 'client'] as const;

interface CreateOptions extends ConnectionOptions {
  name: string;
  kind: (typeof KEY_KINDS)[number];
  env?: string;
}

function scopeOf(key: KeyView): string {
  return key.environment === null ? 'all projects' : `${key.project ?? '?'}/${key.environment}`;
}

/** `switchboard keys create | list | revoke`. */
export function registerKeyCommands(program: Command): void {
  const keys = program
    .command('keys')
    .description('Create, list and revoke API keys (needs an admin key)')
    .addHelpText(
      'after',
      '\nKinds: admin (everything), server (one environment: snapshot, stream, events), ' +
        'client (one environment: evaluate only, safe in a browser).',
    );

  withConnectionOptions(
    keys
      .command('create')
      .description('Create an API key and print it; it is shown this once and stored only hashed')
      .requiredOption('--name <name>', 'what the key is for, e.g. "checkout web app"')
      .addOption(
        new Option('--kind <kind>', 'admin, server or client').choices(KEY_KINDS).makeOptionMandatory(),
      )
      .option('--env <env>', 'the environment a server or client key serves (required for those)'),
  ).action(async (options: CreateOptions) => {
    if (options.kind !== 'admin' && options.env === undefined) {
      throw new CliError(
        `--env is required for a ${options.kind} key: it serves one environment`,
        EXIT.usage,
      );
    }
    if (options.kind === 'admin' && options.env !== undefined) {
      throw new CliError('--env: admin keys are not bound to an environment', EXIT.usage);
    }
    const { api, project, json } = await connect(options);
    const body =
      options.kind === 'admin'
        ? { name: options.name, kind: options.kind }
        : { name: options.name, kind: options.kind, project, environment: options.env };
    const created = await api.post<CreatedKey>('/api/v1/keys', {}, body);
    if (json) return printJson(created);
    print(
      `Created ${created.kind} key "${created.name}" (id ${created.id}) for ${scopeOf(created)}:`,
      '',
      `  ${created.key}`,
      '',
      'Store it now: it is not shown again.',
    );
  });

  withConnectionOptions(
    keys.command('list').description('List API keys (their prefixes, never the keys)'),
  ).action(async (options: ConnectionOptions) => {
    const { api, json } = await connect(options);
    const page = await api.get<Page<KeyView>>('/api/v1/keys');
    if (json) return printJson(page);
    if (page.items.length === 0) return print('No API keys.');
    print(
      table(
        ['id', 'name', 'kind', 'scope', 'prefix', 'created', 'last used', 'status'],
        page.items.map((k) => [
          k.id,
          k.name,
          k.kind,
          scopeOf(k),
          `${k.prefix}…`,
          shortTime(k.createdAt),
          shortTime(k.lastUsedAt),
          k.revokedAt === null ? 'active' : `revoked ${shortTime(k.revokedAt)}`,
        ]),
      ),
    );
  });

  withConnectionOptions(
    keys
      .command('revoke')
      .description('Revoke an API key by id (see `keys list`); it stops working at once')
      .argument('<id>', 'the key id'),
  ).action(async (id: string, options: ConnectionOptions) => {
    const { api, json } = await connect(options);
    const revoked = await api.delete<KeyView>(`/api/v1/keys/${encodeURIComponent(id)}`);
    if (json) return printJson(revoked);
    print(`Revoked ${revoked.kind} key "${revoked.name}" (id ${revoked.id}).`);
  });
}
