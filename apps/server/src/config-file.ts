import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The environment variable naming a configuration file (the `--config` flag overrides it). */
export const CONFIG_FILE_VARIABLE = 'SWITCHBOARD_CONFIG';

/** A configuration file as read: its settings by config key, or the problems that make it unusable. */
export interface ConfigFile {
  /** The absolute path read, for messages; undefined when no file was named. */
  path: string | undefined;
  values: Record<string, unknown>;
  problems: string[];
}

/** Keys whose file value is a JSON object rather than a scalar. */
const OBJECT_KEYS = new Set(['providers']);
/** Keys whose file value is a JSON boolean. */
const BOOLEAN_KEYS = new Set(['bootstrapAdminKey']);
/** Keys whose file value may be a list of strings (as well as one comma-separated string). */
const LIST_KEYS = new Set(['corsOrigins']);

/**
 * Reads a JSON configuration file whose keys are the config fields (`port`, `databaseUrl`,
 * `clientRateLimitPerMinute`...). Unknown keys and values of the wrong JSON type are problems naming
 * the key; ranges and formats are checked by `loadConfig` with the other sources. An empty `path`
 * means no file.
 *
 * @example
 * const file = readConfigFile('/etc/switchboard.json', Object.keys(CONFIG_VARIABLES));
 */
export function readConfigFile(path: string | undefined, knownKeys: readonly string[]): ConfigFile {
  if (path === undefined || path === '') return { path: undefined, values: {}, problems: [] };
  const absolute = resolve(path);
  const where = `config file ${absolute}`;
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return { path: absolute, values: {}, problems: [`${where}: cannot be read (${code})`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { path: absolute, values: {}, problems: [`${where}: is not valid JSON (${detail})`] };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { path: absolute, values: {}, problems: [`${where}: must be a JSON object of settings`] };
  }
  const known = new Set(knownKeys);
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(json)) {
    if (!known.has(key)) {
      problems.push(`${where}: unknown key "${key}" (keys are the config fields: ${[...known].join(', ')})`);
      continue;
    }
    const expected = expectedType(key);
    if (!expected.accepts(value)) {
      problems.push(`${where}: "${key}" must be ${expected.name} (got ${describe(value)})`);
      continue;
    }
    values[key] = value;
  }
  return { path: absolute, values, problems };
}

function expectedType(key: string): { name: string; accepts: (value: unknown) => boolean } {
  if (OBJECT_KEYS.has(key)) {
    return {
      name: 'a JSON object',
      accepts: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    };
  }
  if (BOOLEAN_KEYS.has(key)) return { name: 'true or false', accepts: (value) => typeof value === 'boolean' };
  if (key === 'trustProxy') {
    return {
      name: 'true, false, a number of hops, or a list of proxy addresses',
      accepts: (value) =>
        typeof value === 'boolean' ||
        typeof value === 'number' ||
        typeof value === 'string' ||
        (Array.isArray(value) && value.every((item) => typeof item === 'string')),
    };
  }
  if (LIST_KEYS.has(key)) {
    return {
      name: 'a string or a list of strings',
      accepts: (value) =>
        typeof value === 'string' ||
        (Array.isArray(value) && value.every((item) => typeof item === 'string')),
    };
  }
  return {
    name: 'a string or a number',
    accepts: (value) => typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)),
  };
}

/** The JSON type of a bad value, never the value itself (it may be a secret). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
