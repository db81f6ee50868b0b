import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../apps/server/src/cli.js';
import { CONFIG_VARIABLES } from '../../apps/server/src/config.js';
import { CONFIG_FILE_VARIABLE } from '../../apps/server/src/config-file.js';
import { PROVIDER_VARIABLES } from '../../apps/server/src/features/gateway/provider-settings.js';
import { missingFromPage } from './code-spans.js';
import { REPO_ROOT } from './sample-runner.js';

const PAGE = join(REPO_ROOT, 'docs/operations/configuration.md');
const CONFIG_SOURCE = join(REPO_ROOT, 'apps/server/src/config.ts');

/** An environment variable's name as config.ts spells it in a string literal: `'SWITCHBOARD_...'`, `'PORT'`. */
const VARIABLE_LITERAL = /'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)'/g;

/**
 * Every environment variable the server's configuration reads: the config map, the configuration file's
 * variable, the gateway's provider variables, and any other name config.ts spells out.
 */
function variablesRead(): string[] {
  const literals = [...readFileSync(CONFIG_SOURCE, 'utf8').matchAll(VARIABLE_LITERAL)]
    .map((match) => match[1] as string)
    // Short all-caps literals that are not variables (none today) would be caught here as missing docs.
    .filter((name) => name.length > 1);
  return [
    ...new Set([
      ...Object.values(CONFIG_VARIABLES),
      CONFIG_FILE_VARIABLE,
      ...Object.values(PROVIDER_VARIABLES),
      ...literals,
    ]),
  ].sort();
}

/** The long flags of `switchboard start`, e.g. `--data-dir`. */
function startFlags(): string[] {
  const start = buildProgram().commands.find((command) => command.name() === 'start');
  if (start === undefined) throw new Error('the CLI has no start command');
  return start.options
    .map((option) => option.long)
    .filter((flag): flag is string => flag !== undefined && flag !== '--help')
    .sort();
}

describe('docs/operations/configuration.md', () => {
  const page = readFileSync(PAGE, 'utf8');

  it('documents every environment variable the configuration reads', () => {
    const variables = variablesRead();
    // Guards the reading itself: a refactor that hid the variables would otherwise pass vacuously.
    expect(variables).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'SWITCHBOARD_DATA_DIR']));
    expect(missingFromPage(page, variables)).toEqual([]);
  });

  it("documents every configuration file key (the config's field names)", () => {
    expect(missingFromPage(page, Object.keys(CONFIG_VARIABLES))).toEqual([]);
  });

  it('documents every flag of switchboard start', () => {
    const flags = startFlags();
    expect(flags).toEqual(expect.arrayContaining(['--port', '--data-dir']));
    expect(missingFromPage(page, flags)).toEqual([]);
  });
});
