import {
  anthropicMessagesAdapter,
  type ChatAdapter,
  openAiChatAdapter,
  simulatedAdapter,
  type UpstreamFetch,
  type WireAdapter,
} from '@switchboard/llm';
import { type ProviderSettings, SIMULATED_PROVIDER } from './provider-settings.js';
import type { OpenAiWireOptions } from './variant-merge.js';

/**
 * How an OpenAI-protocol provider wants `developer` messages and the token limit: OpenAI itself takes
 * `developer` and `max_completion_tokens` (its reasoning models refuse `max_tokens`); the servers that
 * copy its API often lack both, and get `system` and `max_tokens`.
 */
export function openAiWireOptions(settings: ProviderSettings): OpenAiWireOptions {
  const isOpenAi = settings.name === 'openai';
  return {
    developerRole: settings.developerRole ?? (isOpenAi ? 'developer' : 'system'),
    maxTokensField: isOpenAi ? 'max_completion_tokens' : 'max_tokens',
  };
}

/**
 * One adapter per configured provider, by name, plus `simulated`. Keys go into the adapters and stay
 * there: the adapters send them upstream and never send a caller's credentials instead. `upstream` is
 * how they reach the providers (the gateway gives them `node:http` with keep-alive agents).
 */
export function createProviderAdapters(
  providers: readonly ProviderSettings[],
  upstream?: UpstreamFetch,
): Map<string, ChatAdapter> {
  const adapters = new Map<string, ChatAdapter>();
  for (const settings of providers) {
    const common = {
      baseUrl: settings.baseUrl,
      provider: settings.name,
      ...(upstream !== undefined && { fetch: upstream }),
      ...(settings.apiKey !== undefined && { apiKey: settings.apiKey.reveal() }),
    };
    adapters.set(
      settings.name,
      settings.protocol === 'anthropic'
        ? anthropicMessagesAdapter(common)
        : openAiChatAdapter({ ...common, ...openAiWireOptions(settings) }),
    );
  }
  adapters.set(SIMULATED_PROVIDER, simulatedAdapter());
  return adapters;
}

/** Whether an adapter can forward raw bodies (an HTTP provider), and in which protocol. */
export function isWireAdapter(adapter: ChatAdapter): adapter is WireAdapter {
  return 'send' in adapter && 'protocol' in adapter;
}
