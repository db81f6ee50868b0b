import { isAbsolute, join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, type Config, ConfigError, loadConfig } from '../src/config.js';

/** The error loadConfig throws for this environment and these overrides. */
function configError(env: NodeJS.ProcessEnv, overrides: Parameters<typeof loadConfig>[1] = {}): ConfigError {
  try {
    loadConfig(env, overrides);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify({ env, overrides })}`);
}

describe('loadConfig', () => {
  it('defaults to 127.0.0.1:7400, ./data resolved to an absolute path, SQLite and the in-process bus', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 7400,
      host: '127.0.0.1',
      dataDir: resolve('data'),
      databaseUrl: undefined,
      redisUrl: undefined,
      redisChannel: 'switchboard:changes',
      versionPollMs: 5000,
      logLevel: 'info',
      clientRateLimitPerMinute: 6000,
      bodyLimitBytes: 1024 * 1024,
      bootstrapAdminKey: true,
      eventRetentionDays: 30,
      providers: [],
      gatewayAttemptTimeoutMs: 60_000,
      gatewayBreakerThreshold: 5,
      gatewayBreakerCooldownMs: 30_000,
      gatewayBodyLimitBytes: 10 * 1024 * 1024,
      gatewayShadowMaxConcurrency: 4,
      rolloutIntervalMs: 60_000,
      corsOrigins: ['*'],
      trustProxy: false,
      streamHeartbeatMs: 15_000,
      shutdownTimeoutMs: 10_000,
    } satisfies Config);
    expect(isAbsolute(config.dataDir)).toBe(true);
    expect(config.dataDir).toBe(join(process.cwd(), 'data'));
  });

  it('treats an empty variable as unset', () => {
    const unset = Object.fromEntries(Object.values(CONFIG_VARIABLES).map((name) => [name, '']));
    expect(loadConfig(unset)).toEqual(loadConfig({}));
  });

  it('reads every setting from its environment variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      SWITCHBOARD_DATA_DIR: '/var/lib/switchboard',
      DATABASE_URL: 'postgres://switchboard@db:5432/flags',
      REDIS_URL: 'redis://cache:6379',
      SWITCHBOARD_REDIS_CHANNEL: 'flags:prod',
      SWITCHBOARD_VERSION_POLL_MS: '0',
      LOG_LEVEL: 'debug',
      SWITCHBOARD_CLIENT_RATE_LIMIT: '120',
      SWITCHBOARD_BODY_LIMIT: '2048',
      SWITCHBOARD_BOOTSTRAP_ADMIN_KEY: 'false',
      SWITCHBOARD_EVENT_RETENTION_DAYS: '90',
      SWITCHBOARD_GATEWAY_ATTEMPT_TIMEOUT_MS: '5000',
      SWITCHBOARD_GATEWAY_BREAKER_THRESHOLD: '3',
      SWITCHBOARD_GATEWAY_BREAKER_COOLDOWN_MS: '0',
      SWITCHBOARD_GATEWAY_BODY_LIMIT: '4096',
      SWITCHBOARD_SHADOW_MAX_CONCURRENCY: '16',
      SWITCHBOARD_ROLLOUT_INTERVAL_MS: '0',
      SWITCHBOARD_CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      SWITCHBOARD_HEARTBEAT_MS: '500',
      SWITCHBOARD_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
      SWITCHBOARD_SHUTDOWN_TIMEOUT_MS: '3000',
    });
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/var/lib/switchboard',
      databaseUrl: 'postgres://switchboard@db:5432/flags',
      redisUrl: 'redis://cache:6379',
      redisChannel: 'flags:prod',
      versionPollMs: 0,
      logLevel: 'debug',
      clientRateLimitPerMinute: 120,
      bodyLimitBytes: 2048,
      bootstrapAdminKey: false,
      eventRetentionDays: 90,
      providers: [],
      gatewayAttemptTimeoutMs: 5000,
      gatewayBreakerThreshold: 3,
      gatewayBreakerCooldownMs: 0,
      gatewayBodyLimitBytes: 4096,
      gatewayShadowMaxConcurrency: 16,
      rolloutIntervalMs: 0,
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      trustProxy: ['10.0.0.0/8', '127.0.0.1'],
      streamHeartbeatMs: 500,
      shutdownTimeoutMs: 3000,
    } satisfies Config);
  });

  it('resolves a relative data directory against the working directory', () => {
    expect(loadConfig({ SWITCHBOARD_DATA_DIR: 'state/sb' }).dataDir).toBe(resolve('state/sb'));
    expect(loadConfig({}, { dataDir: '../elsewhere' }).dataDir).toBe(resolve('../elsewhere'));
  });

  it.each([
    ['postgresql://u:p@db/flags', 'rediss://cache:6380'],
    ['postgres://db/flags', 'redis://cache'],
  ])('accepts %s and %s', (databaseUrl, redisUrl) => {
    expect(loadConfig({ DATABASE_URL: databaseUrl, REDIS_URL: redisUrl })).toMatchObject({
      databaseUrl,
      redisUrl,
    });
  });

  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('reads SWITCHBOARD_BOOTSTRAP_ADMIN_KEY=%s as %s', (value, expected) => {
    expect(loadConfig({ SWITCHBOARD_BOOTSTRAP_ADMIN_KEY: value }).bootstrapAdminKey).toBe(expected);
  });

  it.each(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const)(
    'accepts LOG_LEVEL=%s',
    (level) => {
      expect(loadConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
    },
  );

  it('lets start flags override the environment, and falls back to it for flags not given', () => {
    const env = {
      PORT: '8080',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'debug',
      DATABASE_URL: 'postgres://db/env',
      SWITCHBOARD_BOOTSTRAP_ADMIN_KEY: 'true',
    };
    const config = loadConfig(env, {
      port: 9090,
      logLevel: 'warn',
      databaseUrl: 'postgres://db/flag',
      bootstrapAdminKey: false,
      host: undefined,
    });
    expect(config).toMatchObject({
      port: 9090,
      host: '0.0.0.0',
      logLevel: 'warn',
      databaseUrl: 'postgres://db/flag',
      bootstrapAdminKey: false,
    });
  });

  it('coerces flags given as text, as a command line gives them', () => {
    expect(
      loadConfig(
        {},
        { port: '9091', bodyLimitBytes: '4096', bootstrapAdminKey: 'false', eventRetentionDays: '7' },
      ),
    ).toMatchObject({ port: 9091, bodyLimitBytes: 4096, bootstrapAdminKey: false, eventRetentionDays: 7 });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT', '--port', '"abc"'],
    [{ PORT: '70000' }, 'PORT', '--port', '"70000"'],
    [{ PORT: '-1' }, 'PORT', '--port', '"-1"'],
    [{ PORT: '80.5' }, 'PORT', '--port', '"80.5"'],
    [{ DATABASE_URL: 'mysql://db:3306/flags' }, 'DATABASE_URL', '--database-url', 'postgres://'],
    [{ REDIS_URL: 'http://cache:6379' }, 'REDIS_URL', '--redis-url', 'redis://'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', '--log-level', '"loud"'],
    [{ SWITCHBOARD_CORS_ORIGINS: 'app.example.com' }, 'SWITCHBOARD_CORS_ORIGINS', '', 'origins like'],
    [{ SWITCHBOARD_CLIENT_RATE_LIMIT: '0' }, 'SWITCHBOARD_CLIENT_RATE_LIMIT', '', '"0"'],
    [{ SWITCHBOARD_BODY_LIMIT: '10' }, 'SWITCHBOARD_BODY_LIMIT', '', '"10"'],
    [{ SWITCHBOARD_VERSION_POLL_MS: '-1' }, 'SWITCHBOARD_VERSION_POLL_MS', '', '"-1"'],
    [
      { SWITCHBOARD_EVENT_RETENTION_DAYS: '0' },
      'SWITCHBOARD_EVENT_RETENTION_DAYS',
      '--event-retention-days',
      '"0"',
    ],
    [
      { SWITCHBOARD_EVENT_RETENTION_DAYS: '7.5' },
      'SWITCHBOARD_EVENT_RETENTION_DAYS',
      '--event-retention-days',
      '"7.5"',
    ],
    [
      { SWITCHBOARD_EVENT_RETENTION_DAYS: 'forever' },
      'SWITCHBOARD_EVENT_RETENTION_DAYS',
      '--event-retention-days',
      '"forever"',
    ],
    [{ SWITCHBOARD_BOOTSTRAP_ADMIN_KEY: 'maybe' }, 'SWITCHBOARD_BOOTSTRAP_ADMIN_KEY', '', '"maybe"'],
  ])(
    'refuses %o with a ConfigError naming %s and its start flag %o, if any',
    (env, variable, flag, detail) => {
      const error = configError(env);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('ConfigError');
      expect(error.message).toContain(flag === '' ? `${variable}: ` : `${variable} (${flag})`);
      expect(error.message).toContain(detail);
    },
  );

  it('refuses a bad start flag, naming it and its variable, even when the environment is fine', () => {
    const error = configError({ PORT: '8080' }, { port: 'abc' });
    expect(error.message).toContain('PORT (--port)');
    expect(error.message).toContain('"abc"');
  });

  it('names every bad setting at once, and no good one', () => {
    const error = configError({
      PORT: '70000',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'http://cache',
      HOST: 'example.com',
    });
    const lines = error.message.split('\n').slice(1);
    expect(lines).toHaveLength(3);
    for (const name of ['PORT (--port)', 'LOG_LEVEL (--log-level)', 'REDIS_URL (--redis-url)']) {
      expect(error.message).toContain(name);
    }
    expect(error.message).not.toContain('HOST');
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['192.168.0.1', ['192.168.0.1']],
  ])('reads SWITCHBOARD_TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig({ SWITCHBOARD_TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it('refuses a SWITCHBOARD_TRUST_PROXY that is no proxy list', () => {
    expect(configError({ SWITCHBOARD_TRUST_PROXY: 'the load balancer' }).message).toContain(
      'SWITCHBOARD_TRUST_PROXY: ',
    );
    expect(configError({ SWITCHBOARD_TRUST_PROXY: '0' }).message).toContain('SWITCHBOARD_TRUST_PROXY: ');
  });

  it('names a setting without a start flag by its variable alone', () => {
    const error = configError({ SWITCHBOARD_HEARTBEAT_MS: '5', SWITCHBOARD_CLIENT_RATE_LIMIT: 'many' });
    expect(error.message).toContain('SWITCHBOARD_HEARTBEAT_MS: ');
    expect(error.message).toContain('SWITCHBOARD_CLIENT_RATE_LIMIT: ');
    expect(error.message).not.toMatch(/--stream-heartbeat-ms|--client-rate-limit/);
  });
});

describe('configuration errors', () => {
  it('never print a URL password', () => {
    let message = '';
    try {
      loadConfig({ DATABASE_URL: 'mysql://app:s3cret@db:3306/x' });
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('mysql://app:***@db');
    expect(message).not.toContain('s3cret');
  });
});

describe('gateway providers', () => {
  const keyOf = (config: Config, name: string) =>
    config.providers.find((p) => p.name === name)?.apiKey?.reveal();

  it('reads openai and anthropic from their variables, with the official base URLs by default', () => {
    const config = loadConfig({ OPENAI_API_KEY: 'sk-openai', ANTHROPIC_API_KEY: 'sk-ant' });
    expect(config.providers.map(({ name, protocol, baseUrl }) => ({ name, protocol, baseUrl }))).toEqual([
      { name: 'openai', protocol: 'openai', baseUrl: 'https://api.openai.com/v1' },
      { name: 'anthropic', protocol: 'anthropic', baseUrl: 'https://api.anthropic.com' },
    ]);
    expect(keyOf(config, 'openai')).toBe('sk-openai');
    expect(keyOf(config, 'anthropic')).toBe('sk-ant');
  });

  it('takes a base URL without a key (a proxy that needs none)', () => {
    const config = loadConfig({ OPENAI_BASE_URL: 'http://proxy:4000/v1' });
    expect(config.providers).toEqual([
      { name: 'openai', protocol: 'openai', baseUrl: 'http://proxy:4000/v1', apiKey: undefined },
    ]);
  });

  it('reads any number of named providers from SWITCHBOARD_PROVIDERS, openai protocol unless told', () => {
    const config = loadConfig({
      SWITCHBOARD_PROVIDERS: JSON.stringify({
        vllm: { baseUrl: 'http://gpu:8000/v1', apiKey: 'token-vllm' },
        ollama: { baseUrl: 'http://localhost:11434/v1', developerRole: 'system' },
        'claude-proxy': { protocol: 'anthropic', baseUrl: 'https://proxy.internal' },
      }),
    });
    expect(config.providers.map(({ name, protocol }) => `${name}:${protocol}`)).toEqual([
      'vllm:openai',
      'ollama:openai',
      'claude-proxy:anthropic',
    ]);
    expect(keyOf(config, 'vllm')).toBe('token-vllm');
    expect(config.providers[1]?.developerRole).toBe('system');
  });

  it('never prints a key: not in JSON, not when inspected, not in a template', () => {
    const config = loadConfig({
      OPENAI_API_KEY: 'sk-very-secret',
      SWITCHBOARD_PROVIDERS: '{"vllm":{"baseUrl":"http://gpu:8000/v1","apiKey":"also-secret"}}',
    });
    const printed = [
      JSON.stringify(config),
      inspect(config, { depth: 10 }),
      `${config.providers[0]?.apiKey}`,
    ];
    for (const text of printed) {
      expect(text).not.toContain('sk-very-secret');
      expect(text).not.toContain('also-secret');
      expect(text).toContain('[redacted]');
    }
  });

  it.each([
    [{ SWITCHBOARD_PROVIDERS: 'not json' }, 'SWITCHBOARD_PROVIDERS: must be a JSON object'],
    [{ SWITCHBOARD_PROVIDERS: '{"vllm":{"baseUrl":"ftp://x"}}' }, 'SWITCHBOARD_PROVIDERS: vllm.baseUrl:'],
    [{ SWITCHBOARD_PROVIDERS: '{"vllm":{}}' }, 'SWITCHBOARD_PROVIDERS: vllm.baseUrl:'],
    [
      { SWITCHBOARD_PROVIDERS: '{"vllm":{"baseUrl":"http://x/v1","apikey":"k"}}' },
      'SWITCHBOARD_PROVIDERS: vllm:',
    ],
    [{ SWITCHBOARD_PROVIDERS: '{"Bad Name":{"baseUrl":"http://x/v1"}}' }, 'SWITCHBOARD_PROVIDERS: Bad Name:'],
    [{ SWITCHBOARD_PROVIDERS: '{"simulated":{"baseUrl":"http://x/v1"}}' }, 'is built in'],
    [
      { SWITCHBOARD_PROVIDERS: '{"a":{"protocol":"anthropic","baseUrl":"http://x/v1"}}' },
      'SWITCHBOARD_PROVIDERS: a.baseUrl: must not end with /v1',
    ],
    [
      { OPENAI_API_KEY: 'k', SWITCHBOARD_PROVIDERS: '{"openai":{"baseUrl":"http://x/v1"}}' },
      'configure it in one place',
    ],
    [{ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'not a url' }, 'OPENAI_BASE_URL: must be an http'],
    [{ ANTHROPIC_BASE_URL: 'https://api.anthropic.com/v1' }, 'ANTHROPIC_BASE_URL: must not end with /v1'],
    [{ SWITCHBOARD_GATEWAY_ATTEMPT_TIMEOUT_MS: '0' }, 'SWITCHBOARD_GATEWAY_ATTEMPT_TIMEOUT_MS'],
    [{ SWITCHBOARD_GATEWAY_BREAKER_THRESHOLD: 'many' }, 'SWITCHBOARD_GATEWAY_BREAKER_THRESHOLD'],
    [{ SWITCHBOARD_GATEWAY_BREAKER_COOLDOWN_MS: '-1' }, 'SWITCHBOARD_GATEWAY_BREAKER_COOLDOWN_MS'],
  ])('refuses %o naming the variable (%s)', (env, expected) => {
    expect(configError(env).message).toContain(expected);
  });

  it('never quotes a key in an error about its provider', () => {
    const error = configError({
      OPENAI_API_KEY: 'sk-in-error',
      OPENAI_BASE_URL: 'http://user:pw-in-url@proxy:bad',
      SWITCHBOARD_PROVIDERS: '{"vllm":{"baseUrl":"nope","apiKey":"key-in-error"}}',
    });
    expect(error.message).toContain('OPENAI_BASE_URL');
    expect(error.message).toContain('SWITCHBOARD_PROVIDERS: vllm.baseUrl');
    for (const secret of ['sk-in-error', 'pw-in-url', 'key-in-error'])
      expect(error.message).not.toContain(secret);
  });
});
