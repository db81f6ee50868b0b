import type { WireAdapter } from './chat-adapter.js';
import {
  fromOpenAiChatResponse,
  OpenAiChatStreamDecoder,
  type OpenAiChatWireOptions,
  toOpenAiChatBody,
} from './openai-chat-wire.js';
import { createWireAdapter, type HttpAdapterOptions } from './wire-adapter.js';

/** Options of {@link openAiChatAdapter}. */
export interface OpenAiChatAdapterOptions extends HttpAdapterOptions, OpenAiChatWireOptions {}

/**
 * An adapter for OpenAI chat completions and the servers that copy them (vLLM, Ollama, LiteLLM…):
 * `POST {baseUrl}/chat/completions` with a Bearer key. As with the official client, `baseUrl` usually
 * ends with `/v1` (`https://api.openai.com/v1`, `http://localhost:11434/v1`). Streams ask for usage
 * (`stream_options.include_usage`).
 *
 * @example
 * ```ts
 * const openai = openAiChatAdapter({ baseUrl: 'https://api.openai.com/v1', apiKey: process.env.OPENAI_API_KEY });
 * const result = await openai.chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
 * console.log(result.text, result.usage);
 * ```
 */
export function openAiChatAdapter(options: OpenAiChatAdapterOptions): WireAdapter {
  const provider = options.provider ?? 'openai';
  return createWireAdapter({
    protocol: 'openai-chat',
    provider,
    url: `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`,
    options,
    authHeaders: options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` },
    toBody: (request, stream) => toOpenAiChatBody(request, { ...options, stream }),
    fromResponse: fromOpenAiChatResponse,
    decoder: (model, raw) => new OpenAiChatStreamDecoder(provider, model, raw),
  });
}
