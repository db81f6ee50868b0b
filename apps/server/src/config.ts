import { resolve } from 'node:path';
import { z } from 'zod';
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
  encryptionKey: 'SWITCHBOARD_ENCRYPTION_KEY',
};

/** The configuration is invalid; the message names each bad setting and its variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the configuration from environment variables, overridden by start flags, and validates it.
 *
 * @example
 * const config = loadConfig(process.env, { port: 8080 });
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): Config {
  const pick = (key: keyof Config): unknown => {
    const override = overrides[key];
    if (override !== undefined) return override;
    const value = env[CONFIG_VARIABLES[key]];
    return value === undefined || value === '' ? undefined : value;
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
  };
  const parsed = configSchema.safeParse(raw);
  // Provider keys are read apart: their problems name the variable and never quote a key.
  const providers = readProviderSettings(env, overrides.providers);
  const encryptionKey = readEncryptionKey(pick('encryptionKey'));
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => {
          const key = issue.path[0] as keyof typeof raw;
          return `${CONFIG_VARIABLES[key]} (--${kebab(key)}): ${issue.message} (got ${JSON.stringify(redact(raw[key]))})`;
        })),
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

/** The encryption key, checked without ever quoting it. */
function readEncryptionKey(value: unknown): { key: Secret | undefined; problems: string[] } {
  if (value === undefined) return { key: undefined, problems: [] };
  const text = value instanceof Secret ? value.reveal() : value;
  if (typeof text !== 'string' || text.length < MIN_ENCRYPTION_KEY_CHARS) {
    const variable = CONFIG_VARIABLES.encryptionKey;
    return {
      key: undefined,
      problems: [
        `${variable} (--${kebab('encryptionKey')}): must be at least ${MIN_ENCRYPTION_KEY_CHARS} characters`,
      ],
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

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
