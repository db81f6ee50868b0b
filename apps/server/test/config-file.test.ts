import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { runCli, startServerProcess } from './cli-process.js';

let directory: string;
let counter = 0;

/** Writes a configuration file with this content (an object is written as JSON) and returns its path. */
async function configFile(content: unknown): Promise<string> {
  const path = join(directory, `config-${counter++}.json`);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function configError(...args: Parameters<typeof loadConfig>): ConfigError {
  try {
    loadConfig(...args);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the configuration');
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'switchboard-config-file-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('configuration file', () => {
  it('reads settings by their config field names, from --config or SWITCHBOARD_CONFIG', async () => {
    const path = await configFile({
      port: 8181,
      host: '0.0.0.0',
      databaseUrl: 'postgres://db/flags',
      clientRateLimitPerMinute: '120',
      bootstrapAdminKey: false,
      streamHeartbeatMs: 1000,
      providers: { vllm: { baseUrl: 'http://gpu:8000/v1' } },
    });
    const expected = {
      port: 8181,
      host: '0.0.0.0',
      databaseUrl: 'postgres://db/flags',
      clientRateLimitPerMinute: 120,
      bootstrapAdminKey: false,
      streamHeartbeatMs: 1000,
    };
    expect(loadConfig({}, {}, { configFile: path })).toMatchObject(expected);
    const fromVariable = loadConfig({ SWITCHBOARD_CONFIG: path });
    expect(fromVariable).toMatchObject(expected);
    expect(fromVariable.providers.map((p) => p.name)).toEqual(['vllm']);
  });

  it('ranks flags over the environment over the file over the defaults', async () => {
    const path = await configFile({ port: 1111, host: '10.0.0.1', logLevel: 'debug', versionPollMs: 42 });
    const config = loadConfig(
      { HOST: '10.0.0.2', LOG_LEVEL: 'warn' },
      { logLevel: 'error' },
      { configFile: path },
    );
    expect(config).toMatchObject({
      port: 1111,
      host: '10.0.0.2',
      logLevel: 'error',
      versionPollMs: 42,
      redisChannel: 'switchboard:changes',
    });
  });

  it('takes a list of origins as a JSON array, and names a bad one', async () => {
    const good = await configFile({ corsOrigins: ['https://app.example.com', 'https://admin.example.com'] });
    expect(loadConfig({}, {}, { configFile: good }).corsOrigins).toEqual([
      'https://app.example.com',
      'https://admin.example.com',
    ]);
    const bad = await configFile({ corsOrigins: ['ftp://files.example.com'] });
    expect(configError({}, {}, { configFile: bad }).message).toContain(`"corsOrigins" in config file ${bad}`);
    const wrongType = await configFile({ corsOrigins: [1, 2] });
    expect(configError({}, {}, { configFile: wrongType }).message).toContain(
      '"corsOrigins" must be a string or a list of strings (got an array)',
    );
  });

  it('prefers the --config file over SWITCHBOARD_CONFIG', async () => {
    const flagged = await configFile({ port: 2222 });
    const variable = await configFile({ port: 3333 });
    expect(loadConfig({ SWITCHBOARD_CONFIG: variable }, {}, { configFile: flagged }).port).toBe(2222);
  });

  it('lets SWITCHBOARD_PROVIDERS replace the providers of the file', async () => {
    const path = await configFile({ providers: { vllm: { baseUrl: 'http://gpu:8000/v1' } } });
    const config = loadConfig(
      { SWITCHBOARD_PROVIDERS: '{"ollama":{"baseUrl":"http://localhost:11434/v1"}}' },
      {},
      { configFile: path },
    );
    expect(config.providers.map((p) => p.name)).toEqual(['ollama']);
  });

  it('names the key and the file for a value out of range', async () => {
    const path = await configFile({ port: 70000, streamHeartbeatMs: 60_000 });
    const message = configError({}, {}, { configFile: path }).message;
    expect(message).toContain(`"port" in config file ${path}`);
    expect(message).toContain('70000');
    expect(message).toContain(`"streamHeartbeatMs" in config file ${path}`);
  });

  it('names the variable, not the file, when the bad value came from the environment', async () => {
    const path = await configFile({ port: 8080 });
    const message = configError({ PORT: 'abc' }, {}, { configFile: path }).message;
    expect(message).toContain('PORT (--port)');
    expect(message).not.toContain('config file');
  });

  it.each([
    [{ prot: 8080 }, 'unknown key "prot"'],
    [{ port: true }, '"port" must be a string or a number (got a boolean)'],
    [{ bootstrapAdminKey: 'yes' }, '"bootstrapAdminKey" must be true or false (got a string)'],
    [{ providers: 'vllm' }, '"providers" must be a JSON object (got a string)'],
    [{ host: null }, '"host" must be a string or a number (got null)'],
    [[1, 2], 'must be a JSON object of settings'],
    ['{"port": 80,', 'is not valid JSON'],
  ])('refuses %j: %s', async (content, expected) => {
    const path = await configFile(content);
    const message = configError({}, {}, { configFile: path }).message;
    expect(message).toContain(`config file ${path}`);
    expect(message).toContain(expected);
  });

  it('refuses a file that cannot be read, naming it', () => {
    const path = join(directory, 'missing.json');
    expect(configError({ SWITCHBOARD_CONFIG: path }).message).toContain(
      `config file ${path}: cannot be read (ENOENT)`,
    );
  });

  it('never quotes a secret of the wrong type', async () => {
    const path = await configFile({ encryptionKey: ['a-secret-in-an-array'] });
    const message = configError({}, {}, { configFile: path }).message;
    expect(message).toContain('"encryptionKey"');
    expect(message).not.toContain('a-secret-in-an-array');
  });
});

describe('switchboard start --config', () => {
  it('exits 2 naming the bad key, and documents the precedence in --help', async () => {
    const path = await configFile({ port: 'eighty', logLevel: 'loud' });
    const run = await runCli(['start', '--config', path], { SWITCHBOARD_DATA_DIR: directory });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`"port" in config file ${path}`);
    expect(run.stderr).toContain(`"logLevel" in config file ${path}`);
    const help = await runCli(['start', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--config <file>');
    expect(help.stdout).toMatch(/flags, then environment variables, then\s+the JSON file/);
  });
});

describe('a server started with SWITCHBOARD_CONFIG', () => {
  it('runs with the settings of the file (its streams beat every streamHeartbeatMs)', async () => {
    const path = await configFile({ streamHeartbeatMs: 200, logLevel: 'debug' });
    const server = await startServerProcess({ env: { SWITCHBOARD_CONFIG: path } });
    try {
      const response = await fetch(`${server.url}/api/v1/sdk/stream?project=default&environment=production`, {
        headers: { authorization: `Bearer ${server.adminKey}` },
      });
      expect(response.status).toBe(200);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = '';
      const until = Date.now() + 1_100;
      while (Date.now() < until) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
      await reader.cancel();
      // 15 s by default: at least three in a second only with the file's 200 ms.
      expect(text.match(/event: heartbeat/g)?.length ?? 0).toBeGreaterThanOrEqual(3);
    } finally {
      await server.stop();
    }
  });
});
