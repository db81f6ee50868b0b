import { resolve } from 'node:path';
import { z } from 'zod';
import { CONFIG_FILE_VARIABLE, readConfigFile } from './config-file.js';
import { type ProviderSettings, readProviderSettings, Secret } from './features/gateway/provider-settings.js';

/** Everything the server reads at start; see {@link loadConfig}. */
export interface Config {
  port: number;
  host: string;
  /** Where the embedded store (`switchboard.db`) and the local `admin-key` live. */
  dataDir: string;
  /** PostgreSQL when set; the embedded SQLite store otherwise. */
  databaseUrl: string | undefined;
  /** Redis for fan-out between replicas when set; in-process otherwise. */
  redisUrl: string | undefined;
  /**
   * The Redis pub/sub channel replicas exchange changes on. Replicas of one deployment MUST share it;
   * deployments (or test runs) sharing one Redis give each their own.
   */
  redisChannel: string;
  /**
   * How often each replica compares the environment versions in the store with the ones it was told
   * of, and catches up on any it missed (a lost Redis message, an outage). 0 turns it off. It runs on
   * PostgreSQL, the store replicas share; never on the embedded SQLite store (one process).
   */
  versionPollMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Requests per minute per client key and caller IP on the client and OFREP endpoints. */
  clientRateLimitPerMinute: number;
  /** Largest accepted request body. */
  bodyLimitBytes: number;
  /** Whether to create and print an admin key when the store has none (off in tests that make their own). */
  bootstrapAdminKey: boolean;
  /**
   * Days raw events are kept for export (rollups are kept for good); events stamped earlier than this
   * are refused.
   */
  eventRetentionDays: number;
  /**
   * The gateway's upstream LLM providers: from `OPENAI_API_KEY`/`OPENAI_BASE_URL`,
   * `ANTHROPIC_API_KEY`/`ANTHROPIC_BASE_URL` and `SWITCHBOARD_PROVIDERS` (see `readProviderSettings`).
   * Keys are `Secret`s: they never print. `simulated` is always there besides these.
   */
  providers: ProviderSettings[];
  /** Time the gateway gives one provider: to the whole answer, or for a stream to its first token. */
  gatewayAttemptTimeoutMs: number;
  /** Consecutive failures of a provider after which the gateway skips it for the cooldown. */
  gatewayBreakerThreshold: number;
  /** How long a provider whose breaker opened is skipped before one request probes it. */
  gatewayBreakerCooldownMs: number;
  /** Largest request body of the gateway routes (prompts are larger than flag bodies). */
  gatewayBodyLimitBytes: number;
  /**
   * Shadow calls the gateway runs at once, at most, per server; a sampled request beyond it is not
   * shadowed (0 turns shadow mode off in the gateway).
   */
  gatewayShadowMaxConcurrency: number;
  /**
   * How often the rollout scheduler evaluates every active rollout plan (advance, hold, roll back),
   * in a server that listens. 0 turns it off (plans then move only by hand). With several replicas on
   * PostgreSQL, one acts per tick.
   */
  rolloutIntervalMs: number;
  /**
   * How long a graceful shutdown (SIGTERM, SIGINT) may take, in all: streams closed, in-flight requests
   * finished, events and generations written, the store closed. The process exits 0 when that is done
   * within it, and 1 when the time is up.
   */
  shutdownTimeoutMs: number;
  /** How often every SDK stream gets a heartbeat (SDKs give up on a stream silent for 45 s). */
  streamHeartbeatMs: number;
  /**
   * Origins whose browsers may call the client routes (client evaluation, the client stream, OFREP):
   * `*` (the default) or a list of `https://host[:port]`. The admin API never answers other origins.
   */
  corsOrigins: string[];
  /**
   * Which proxies' `X-Forwarded-For` is believed for the caller's address (rate limits per IP, logs):
   * `false` (default: the TCP peer, forwarding headers ignored), `true` (every proxy: only behind a
   * load balancer that sets the header itself), a number of hops, or a list of proxy addresses/CIDRs.
   */
  trustProxy: boolean | number | string[];
  /**
   * Encrypts webhook secrets in the store (AES-256-GCM under a key derived from it; at least 32
   * characters). Unset: they are stored as plain text. Replicas of one deployment MUST share it. A
   * `Secret`: it never prints.
   */
  encryptionKey?: Secret | undefined;
}

/** Start options as flags of `switchboard start`; each overrides its environment variable. */
export type ConfigOverrides = Partial<Record<keyof Config, unknown>>;

const DEFAULT_PORT = 7400;
const DEFAULT_CLIENT_RATE_LIMIT_PER_MINUTE = 6000;
const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
const DEFAULT_REDIS_CHANNEL = 'switchboard:changes';
const DEFAULT_VERSION_POLL_MS = 5_000;
const DEFAULT_EVENT_RETENTION_DAYS = 30;
/** Ten years: beyond it, a typo more likely than a wish. */
const MAX_EVENT_RETENTION_DAYS = 3_650;
const DEFAULT_GATEWAY_ATTEMPT_TIMEOUT_MS = 60_000;
const DEFAULT_GATEWAY_BREAKER_THRESHOLD = 5;
const DEFAULT_GATEWAY_BREAKER_COOLDOWN_MS = 30_000;
const DEFAULT_GATEWAY_BODY_LIMIT_BYTES = 10 * 1024 * 1024;
const DEFAULT_GATEWAY_SHADOW_MAX_CONCURRENCY = 4;
const DEFAULT_ROLLOUT_INTERVAL_MS = 60_000;
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
const DEFAULT_STREAM_HEARTBEAT_MS = 15_000;
/** Below this, heartbeats would cost more than the streams they keep alive. */
const MIN_STREAM_HEARTBEAT_MS = 100;
/** Above this, SDKs (which give up after 45 s of silence) would drop healthy streams. */
const MAX_STREAM_HEARTBEAT_MS = 30_000;
const MIN_ENCRYPTION_KEY_CHARS = 32;

const configSchema = z.object({
  port: z.coerce.number().int().min(0).max(65_535),
  host: z.string().min(1),
  dataDir: z.string().min(1),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  redisChannel: z.string().min(1),
  versionPollMs: z.coerce.number().int().min(0),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  clientRateLimitPerMinute: z.coerce.number().int().min(1),
  bodyLimitBytes: z.coerce.number().int().min(1024),
  bootstrapAdminKey: z.boolean(),
  eventRetentionDays: z.coerce.number().int().min(1).max(MAX_EVENT_RETENTION_DAYS),
  gatewayAttemptTimeoutMs: z.coerce.number().int().min(1),
  gatewayBreakerThreshold: z.coerce.number().int().min(1),
  gatewayBreakerCooldownMs: z.coerce.number().int().min(0),
  gatewayBodyLimitBytes: z.coerce.number().int().min(1024),
  gatewayShadowMaxConcurrency: z.coerce.number().int().min(0),
  rolloutIntervalMs: z.coerce.number().int().min(0),
  corsOrigins: z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((o) => o.trim())
            .filter((o) => o !== '')
        : v,
    z
      .array(
        z.string().regex(/^(\*|https?:\/\/[^/\s,]+)$/, 'must be * or origins like https://app.example.com'),
      )
      .min(1),
  ),
  trustProxy: z.preprocess(
    (v) => {
      if (typeof v !== 'string') return v;
      const text = v.trim();
      if (text === 'true' || text === 'false') return text === 'true';
      if (/^\d+$/.test(text)) return Number(text);
      return text
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== '');
    },
    z.union([
      z.boolean(),
      z.number().int().min(1).max(16),
      z
        .array(
          z
            .string()
            .regex(
              /^[0-9a-fA-F:.]+(\/\d{1,3})?$/,
              'must be true, false, a number of hops, or proxy addresses/CIDRs',
            ),
        )
        .min(1),
    ]),
  ),
  shutdownTimeoutMs: z.coerce.number().int().min(100),
  streamHeartbeatMs: z.coerce.number().int().min(MIN_STREAM_HEARTBEAT_MS).max(MAX_STREAM_HEARTBEAT_MS),
});

/** The environment variable behind each setting, for messages and docs. */
export const CONFIG_VARIABLES: Record<keyof Config, string> = {
  port: 'PORT',
  host: 'HOST',
  dataDir: 'SWITCHBOARD_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  redisUrl: 'REDIS_URL',
  redisChannel: 'SWITCHBOARD_REDIS_CHANNEL',
  versionPollMs: 'SWITCHBOARD_VERSION_POLL_MS',
  logLevel: 'LOG_LEVEL',
  clientRateLimitPerMinute: 'SWITCHBOARD_CLIENT_RATE_LIMIT',
  bodyLimitBytes: 'SWITCHBOARD_BODY_LIMIT',
  bootstrapAdminKey: 'SWITCHBOARD_BOOTSTRAP_ADMIN_KEY',
  eventRetentionDays: 'SWITCHBOARD_EVENT_RETENTION_DAYS',
  providers: 'SWITCHBOARD_PROVIDERS',
  gatewayAttemptTimeoutMs: 'SWITCHBOARD_GATEWAY_ATTEMPT_TIMEOUT_MS',
  gatewayBreakerThreshold: 'SWITCHBOARD_GATEWAY_BREAKER_THRESHOLD',
  gatewayBreakerCooldownMs: 'SWITCHBOARD_GATEWAY_BREAKER_COOLDOWN_MS',
  gatewayBodyLimitBytes: 'SWITCHBOARD_GATEWAY_BODY_LIMIT',
  gatewayShadowMaxConcurrency: 'SWITCHBOARD_SHADOW_MAX_CONCURRENCY',
  rolloutIntervalMs: 'SWITCHBOARD_ROLLOUT_INTERVAL_MS',
  corsOrigins: 'SWITCHBOARD_CORS_ORIGINS',
  trustProxy: 'SWITCHBOARD_TRUST_PROXY',
  shutdownTimeoutMs: 'SWITCHBOARD_SHUTDOWN_TIMEOUT_MS',
  streamHeartbeatMs: 'SWITCHBOARD_HEARTBEAT_MS',
  encryptionKey: 'SWITCHBOARD_ENCRYPTION_KEY',
};

/** The configuration is invalid; the message names each bad setting and its variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Where else settings come from besides the environment and the flags. */
export interface LoadConfigOptions {
  /** A JSON configuration file (`--config`); `SWITCHBOARD_CONFIG` names one otherwise. */
  configFile?: string | undefined;
}

/**
 * Reads the configuration and validates it. Each setting comes from the first source that has it:
 * start flags, then environment variables, then the JSON configuration file (`--config` or
 * `SWITCHBOARD_CONFIG`, keys named like the fields of {@link Config}), then the defaults.
 *
 * @example
 * const config = loadConfig(process.env, { port: 8080 }, { configFile: 'switchboard.json' });
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: ConfigOverrides = {},
  options: LoadConfigOptions = {},
): Config {
  const file = readConfigFile(options.configFile ?? env[CONFIG_FILE_VARIABLE], Object.keys(CONFIG_VARIABLES));
  /** The settings whose value came from the file: their errors name the file's key. */
  const fromFile = new Set<string>();
  const pick = (key: keyof Config): unknown => {
    const override = overrides[key];
    if (override !== undefined) return override;
    const value = env[CONFIG_VARIABLES[key]];
    if (value !== undefined && value !== '') return value;
    if (file.values[key] !== undefined) fromFile.add(key);
    return file.values[key];
  };
  const raw = {
    port: pick('port') ?? DEFAULT_PORT,
    host: pick('host') ?? '127.0.0.1',
    dataDir: pick('dataDir') ?? './data',
    databaseUrl: pick('databaseUrl'),
    redisUrl: pick('redisUrl'),
    redisChannel: pick('redisChannel') ?? DEFAULT_REDIS_CHANNEL,
    versionPollMs: pick('versionPollMs') ?? DEFAULT_VERSION_POLL_MS,
    logLevel: pick('logLevel') ?? 'info',
    clientRateLimitPerMinute: pick('clientRateLimitPerMinute') ?? DEFAULT_CLIENT_RATE_LIMIT_PER_MINUTE,
    bodyLimitBytes: pick('bodyLimitBytes') ?? DEFAULT_BODY_LIMIT_BYTES,
    bootstrapAdminKey: parseBoolean(pick('bootstrapAdminKey') ?? true),
    eventRetentionDays: pick('eventRetentionDays') ?? DEFAULT_EVENT_RETENTION_DAYS,
    gatewayAttemptTimeoutMs: pick('gatewayAttemptTimeoutMs') ?? DEFAULT_GATEWAY_ATTEMPT_TIMEOUT_MS,
    gatewayBreakerThreshold: pick('gatewayBreakerThreshold') ?? DEFAULT_GATEWAY_BREAKER_THRESHOLD,
    gatewayBreakerCooldownMs: pick('gatewayBreakerCooldownMs') ?? DEFAULT_GATEWAY_BREAKER_COOLDOWN_MS,
    gatewayBodyLimitBytes: pick('gatewayBodyLimitBytes') ?? DEFAULT_GATEWAY_BODY_LIMIT_BYTES,
    gatewayShadowMaxConcurrency:
      pick('gatewayShadowMaxConcurrency') ?? DEFAULT_GATEWAY_SHADOW_MAX_CONCURRENCY,
    rolloutIntervalMs: pick('rolloutIntervalMs') ?? DEFAULT_ROLLOUT_INTERVAL_MS,
    corsOrigins: pick('corsOrigins') ?? '*',
    trustProxy: pick('trustProxy') ?? false,
    shutdownTimeoutMs: pick('shutdownTimeoutMs') ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
    streamHeartbeatMs: pick('streamHeartbeatMs') ?? DEFAULT_STREAM_HEARTBEAT_MS,
  };
  const parsed = configSchema.safeParse(raw);
  // Provider keys are read apart: their problems name the variable and never quote a key.
  const providers = readProviderSettings(env, overrides.providers ?? providersFromFile(env, file.values));
  const encryptionKey = readEncryptionKey(pick('encryptionKey'));
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => {
          const key = issue.path[0] as keyof typeof raw;
          if (fromFile.has(key))
            return `"${key}" in config file ${file.path}: ${issue.message} (got ${JSON.stringify(redact(raw[key]))})`;
          return `${settingName(key)}: ${issue.message} (got ${JSON.stringify(redact(raw[key]))})`;
        })),
    ...file.problems,
    ...providers.problems,
    ...encryptionKey.problems,
  ];
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return {
    ...parsed.data,
    dataDir: resolve(parsed.data.dataDir),
    providers: providers.providers,
    encryptionKey: encryptionKey.key,
  } as Config;
}

/** The file's providers, unless the environment names providers itself (the environment wins). */
function providersFromFile(env: NodeJS.ProcessEnv, values: Record<string, unknown>): unknown {
  const variable = env[CONFIG_VARIABLES.providers];
  return variable === undefined || variable === '' ? values.providers : undefined;
}

/** The encryption key, checked without ever quoting it. */
function readEncryptionKey(value: unknown): { key: Secret | undefined; problems: string[] } {
  if (value === undefined) return { key: undefined, problems: [] };
  const text = value instanceof Secret ? value.reveal() : value;
  if (typeof text !== 'string' || text.length < MIN_ENCRYPTION_KEY_CHARS) {
    const variable = settingName('encryptionKey');
    return {
      key: undefined,
      problems: [`${variable}: must be at least ${MIN_ENCRYPTION_KEY_CHARS} characters`],
    };
  }
  return { key: new Secret(text), problems: [] };
}

function parseBoolean(value: unknown): unknown {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return value;
}

/** A URL's password is never printed, even in an error about that URL. */
function redact(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@') : value;
}

/** The settings `switchboard start` also takes as flags (the others come from the environment or the file). */
const START_FLAGS: ReadonlySet<keyof Config> = new Set<keyof Config>([
  'port',
  'host',
  'dataDir',
  'databaseUrl',
  'redisUrl',
  'logLevel',
  'eventRetentionDays',
]);

/** How an error names a setting: its variable, and its start flag when it has one. */
function settingName(key: keyof Config): string {
  const variable = CONFIG_VARIABLES[key];
  return START_FLAGS.has(key) ? `${variable} (--${kebab(key)})` : variable;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
