import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { ADMIN_KEY_FILE } from '../features/api-keys/api-key-service.js';
import { ApiClient } from './api-client.js';
import { CliError, EXIT } from './exit-codes.js';

/** Where the CLI finds the server when neither --url nor SWITCHBOARD_URL says. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:7400';

/** The options every command that talks to a server takes. */
export interface ConnectionOptions {
  url: string;
  key?: string;
  dataDir: string;
  project: string;
  json?: boolean;
}

/** What a command needs to talk to the server and print its answer. */
export interface Connection {
  api: ApiClient;
  project: string;
  json: boolean;
}

/** Adds --url, --key, --data-dir, --project and --json to a command that talks to a running server. */
export function withConnectionOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--url <url>', 'the server to talk to').env('SWITCHBOARD_URL').default(DEFAULT_SERVER_URL),
    )
    .addOption(
      new Option('--key <key>', `an API key (default: the ${ADMIN_KEY_FILE} file in --data-dir)`).env(
        'SWITCHBOARD_API_KEY',
      ),
    )
    .addOption(
      new Option('--data-dir <dir>', `where to find the ${ADMIN_KEY_FILE} file when no key is given`)
        .env('SWITCHBOARD_DATA_DIR')
        .default('./data'),
    )
    .addOption(new Option('--project <project>', 'the project').default('default'))
    .addOption(new Option('--json', "print the server's JSON instead of text"));
}

/** Resolves the key (flag, variable, then the local admin-key file) and checks the URL. */
export async function connect(options: ConnectionOptions): Promise<Connection> {
  if (!URL.canParse(options.url) || !/^https?:$/.test(new URL(options.url).protocol)) {
    throw new CliError(`--url: not an http(s) URL: ${JSON.stringify(options.url)}`, EXIT.usage);
  }
  const key = options.key ?? (await readAdminKey(options.dataDir));
  return { api: new ApiClient(options.url, key), project: options.project, json: options.json === true };
}

async function readAdminKey(dataDir: string): Promise<string> {
  const file = join(resolve(dataDir), ADMIN_KEY_FILE);
  let key: string;
  try {
    key = (await readFile(file, 'utf8')).trim();
  } catch {
    key = '';
  }
  if (key === '') {
    throw new CliError(
      `no API key: pass --key, set SWITCHBOARD_API_KEY, or point --data-dir (SWITCHBOARD_DATA_DIR) at the server's data directory (no key in ${file})`,
      EXIT.usage,
    );
  }
  return key;
}
