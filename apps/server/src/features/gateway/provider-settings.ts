import { z } from 'zod';

const REDACTED = '[redacted]';

/**
 * A credential that never prints: `JSON.stringify`, `util.inspect`, template strings and loggers see
 * `[redacted]`; only {@link Secret.reveal} gives the value, for the adapter that sends it upstream.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

/** The wire protocols an upstream provider speaks. */
export type ProviderProtocol = 'openai' | 'anthropic';

/** One upstream LLM provider of the gateway, as AI configs name it (`provider: "vllm"`). */
export interface ProviderSettings {
  name: string;
  protocol: ProviderProtocol;
  /** OpenAI's ends with `/v1` (`/chat/completions` is appended); Anthropic's does not (`/v1/messages` is). */
  baseUrl: string;
  /** Sent upstream only; absent for servers without auth (a local Ollama). */
  apiKey: Secret | undefined;
  /** OpenAI protocol: how `developer` messages are sent (`system` for servers that lack the role). */
  developerRole?: 'developer' | 'system' | undefined;
}

/** The provider every gateway has: answers drawn from `simulatedAdapter`, no network. */
export const SIMULATED_PROVIDER = 'simulated';

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

/** The environment variables providers are read from. */
export const PROVIDER_VARIABLES = {
  providers: 'SWITCHBOARD_PROVIDERS',
  openAiKey: 'OPENAI_API_KEY',
  openAiBaseUrl: 'OPENAI_BASE_URL',
  anthropicKey: 'ANTHROPIC_API_KEY',
  anthropicBaseUrl: 'ANTHROPIC_BASE_URL',
} as const;

const httpUrl = z
  .string()
  .min(1)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.search === '' && url.hash === '';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL without query or fragment');

const providerName = z
  .string()
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lowercase letters, digits, . _ or -')
  .refine((name) => name !== SIMULATED_PROVIDER, `"${SIMULATED_PROVIDER}" is built in`);

const providerEntry = z
  .object({
    protocol: z.enum(['openai', 'anthropic']).default('openai'),
    baseUrl: httpUrl,
    apiKey: z.string().min(1).optional(),
    developerRole: z.enum(['developer', 'system']).optional(),
  })
  .strict();

const providersSchema = z.record(z.string(), providerEntry);

/**
 * Reads the gateway's providers: `OPENAI_API_KEY`/`OPENAI_BASE_URL` define `openai`,
 * `ANTHROPIC_API_KEY`/`ANTHROPIC_BASE_URL` define `anthropic`, and `SWITCHBOARD_PROVIDERS` (a JSON
 * object) any number more by name, e.g. `{"vllm":{"baseUrl":"http://gpu:8000/v1"},"ollama":
 * {"baseUrl":"http://localhost:11434/v1","developerRole":"system"}}` (protocol `openai` unless it says
 * `anthropic`). Returns the problems instead, each naming its variable and never quoting a key.
 *
 * @example
 * const { providers } = readProviderSettings(process.env);
 */
export function readProviderSettings(
  env: NodeJS.ProcessEnv,
  providersOverride?: unknown,
): { providers: ProviderSettings[]; problems: string[] } {
  const problems: string[] = [];
  const providers: ProviderSettings[] = [];
  const value = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);

  const vendor = (
    name: ProviderProtocol,
    keyVariable: string,
    urlVariable: string,
    defaultUrl: string,
    checkUrl: (url: string) => string | undefined,
  ) => {
    const apiKey = value(keyVariable);
    const baseUrl = value(urlVariable);
    if (apiKey === undefined && baseUrl === undefined) return;
    const url = baseUrl ?? defaultUrl;
    const parsed = httpUrl.safeParse(url);
    const problem = parsed.success ? checkUrl(url) : parsed.error.issues[0]?.message;
    if (problem !== undefined) {
      problems.push(`${urlVariable}: ${problem} (got ${JSON.stringify(redactUrl(url))})`);
      return;
    }
    providers.push({
      name,
      protocol: name,
      baseUrl: url,
      apiKey: apiKey === undefined ? undefined : new Secret(apiKey),
    });
  };
  vendor(
    'openai',
    PROVIDER_VARIABLES.openAiKey,
    PROVIDER_VARIABLES.openAiBaseUrl,
    DEFAULT_OPENAI_BASE_URL,
    () => undefined,
  );
  vendor(
    'anthropic',
    PROVIDER_VARIABLES.anthropicKey,
    PROVIDER_VARIABLES.anthropicBaseUrl,
    DEFAULT_ANTHROPIC_BASE_URL,
    // The adapter appends /v1/messages, as the official client does.
    (url) => (/\/v1\/*$/.test(url) ? 'must not end with /v1 (the /v1/messages path is appended)' : undefined),
  );

  const text = providersOverride ?? value(PROVIDER_VARIABLES.providers);
  if (text !== undefined) {
    const variable = PROVIDER_VARIABLES.providers;
    let json: unknown = text;
    if (typeof text === 'string') {
      try {
        json = JSON.parse(text);
      } catch {
        problems.push(
          `${variable}: must be a JSON object of providers by name, like {"vllm":{"baseUrl":"…"}}`,
        );
        return { providers, problems };
      }
    }
    const parsed = providersSchema.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path.map(String).join('.');
        // zod's messages never quote the value; the key field is named, never shown.
        problems.push(`${variable}: ${path === '' ? '' : `${path}: `}${issue.message}`);
      }
      return { providers, problems };
    }
    for (const [name, entry] of Object.entries(parsed.data)) {
      const badName = providerName.safeParse(name);
      if (!badName.success) {
        problems.push(`${variable}: ${name}: ${badName.error.issues[0]?.message ?? 'invalid name'}`);
        continue;
      }
      if (providers.some((p) => p.name === name)) {
        problems.push(
          `${variable}: ${name} is also configured by the ${name.toUpperCase()}_* variables: configure it in one place`,
        );
        continue;
      }
      if (entry.protocol === 'anthropic' && /\/v1\/*$/.test(entry.baseUrl)) {
        problems.push(
          `${variable}: ${name}.baseUrl: must not end with /v1 (the /v1/messages path is appended)`,
        );
        continue;
      }
      providers.push({
        name,
        protocol: entry.protocol,
        baseUrl: entry.baseUrl,
        apiKey: entry.apiKey === undefined ? undefined : new Secret(entry.apiKey),
        ...(entry.developerRole !== undefined && { developerRole: entry.developerRole }),
      });
    }
  }
  return { providers, problems };
}

/** A URL's credentials are never printed, even in an error about that URL. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*)(:[^@/]*)?@/, '//***@');
}
