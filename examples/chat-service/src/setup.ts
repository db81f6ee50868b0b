import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The flag the chat service reads its model, prompt and parameters from. */
export const CHAT_FLAG = 'chat-model';

/**
 * A stand-in for OpenAI, since this example reaches no provider: Switchboard's gateway serving this
 * flag answers any chat completion with the simulated model. Point the OpenAI client at OpenAI instead
 * and it is not used.
 */
export const STAND_IN_FLAG = 'simulated-llm';

const ENVIRONMENT = 'production';

const SYSTEM_PROMPT = 'You are the support assistant of {{product}}. Answer in two sentences.';

/** The chat flag: an AI config split 50/50 between two simulated models. */
const CHAT_FLAG_BODY = {
  key: CHAT_FLAG,
  kind: 'ai-config',
  changeType: 'model-swap',
  description: 'The model, prompt and parameters of the chat service example',
  variants: ['gpt-4o', 'gpt-4o-mini'].map((model, index) => ({
    key: index === 0 ? 'control' : 'candidate',
    value: {
      provider: 'simulated',
      model,
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: '{{question}}' },
      ],
      params: { temperature: 0.3, maxTokens: 24 },
    },
  })),
};

const STAND_IN_FLAG_BODY = {
  key: STAND_IN_FLAG,
  kind: 'ai-config',
  description: 'Stand-in provider for the chat service example: the simulated model, no messages',
  variants: [{ key: 'sim', value: { provider: 'simulated', model: 'gpt-4o' } }],
};

/** How the example reaches Switchboard with an admin key, for its setup. */
export interface SetupOptions {
  url: string;
  adminKey: string;
}

/**
 * Creates the chat flag (50/50 in production) and the stand-in flag when they are missing; flags
 * already there are left as they are, so a kill or a rollout survives a restart of the example.
 */
export async function ensureFlags(options: SetupOptions): Promise<void> {
  await ensureFlag(options, CHAT_FLAG_BODY, {
    split: [
      { variant: 'candidate', weight: 50_000 },
      { variant: 'control', weight: 50_000 },
    ],
  });
  await ensureFlag(options, STAND_IN_FLAG_BODY, { variant: 'sim' });
}

/** Creates a server key for production, for the SDK and the gateway. */
export async function createServerKey(options: SetupOptions): Promise<string> {
  const body = await call(options, 'POST', '/api/v1/keys', {
    name: 'chat service example',
    kind: 'server',
    project: 'default',
    environment: ENVIRONMENT,
  });
  return (body as { key: string }).key;
}

/** The admin key: SWITCHBOARD_ADMIN_KEY, else the `admin-key` file the server wrote in its data dir. */
export async function readAdminKey(env: NodeJS.ProcessEnv): Promise<string> {
  if (env.SWITCHBOARD_ADMIN_KEY) return env.SWITCHBOARD_ADMIN_KEY;
  const file = join(env.SWITCHBOARD_DATA_DIR ?? 'data', 'admin-key');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    throw new Error(
      `no admin key: set SWITCHBOARD_ADMIN_KEY, or run from where ${file} is (npm start writes it)`,
    );
  }
}

async function ensureFlag(options: SetupOptions, flag: { key: string }, fallthrough: unknown): Promise<void> {
  const created = await call(options, 'POST', '/api/v1/flags', flag, [409]);
  if (created === undefined) return;
  await call(options, 'PATCH', `/api/v1/flags/${flag.key}/environments/${ENVIRONMENT}`, {
    version: 0,
    enabled: true,
    fallthrough,
  });
}

/** A JSON call with the admin key; undefined when the status is one of `tolerated`. */
async function call(
  options: SetupOptions,
  method: string,
  path: string,
  body: unknown,
  tolerated: number[] = [],
): Promise<unknown> {
  const response = await fetch(`${options.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${options.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (tolerated.includes(response.status)) return undefined;
  const answer = await response.json();
  if (!response.ok)
    throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}
