import {
  AnthropicMessagesStreamDecoder,
  fromAnthropicMessagesResponse,
  toAnthropicMessagesBody,
} from './anthropic-messages-wire.js';
import type { WireAdapter } from './chat-adapter.js';
import { createWireAdapter, type HttpAdapterOptions } from './wire-adapter.js';

/** The API version sent in `anthropic-version`. */
export const ANTHROPIC_VERSION = '2023-06-01';

/** Options of {@link anthropicMessagesAdapter}. */
export interface AnthropicMessagesAdapterOptions extends HttpAdapterOptions {
  /** `max_tokens` when the request does not set `maxTokens` (Anthropic requires it); 4096 by default. */
  defaultMaxTokens?: number;
  /** Sent as `anthropic-version`; {@link ANTHROPIC_VERSION} by default. */
  version?: string;
}

/**
 * An adapter for Anthropic messages: `POST {baseUrl}/v1/messages` with `x-api-key` and
 * `anthropic-version`. As with the official client, `baseUrl` has no `/v1` (`https://api.anthropic.com`).
 * System and developer messages go to the top-level `system` field.
 *
 * @example
 * ```ts
 * const anthropic = anthropicMessagesAdapter({ baseUrl: 'https://api.anthropic.com', apiKey: process.env.ANTHROPIC_API_KEY });
 * const stream = await anthropic.stream({ model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: 'Hi' }] });
 * for await (const chunk of stream) if (chunk.type === 'text') process.stdout.write(chunk.text);
 * ```
 */
export function anthropicMessagesAdapter(options: AnthropicMessagesAdapterOptions): WireAdapter {
  const provider = options.provider ?? 'anthropic';
  return createWireAdapter({
    protocol: 'anthropic-messages',
    provider,
    url: `${options.baseUrl.replace(/\/+$/, '')}/v1/messages`,
    options,
    authHeaders: options.apiKey === undefined ? {} : { 'x-api-key': options.apiKey },
    protocolHeaders: { 'anthropic-version': options.version ?? ANTHROPIC_VERSION },
    toBody: (request, stream) =>
      toAnthropicMessagesBody(request, {
        stream,
        ...(options.defaultMaxTokens !== undefined && { defaultMaxTokens: options.defaultMaxTokens }),
      }),
    fromResponse: fromAnthropicMessagesResponse,
    decoder: (model, raw) => new AnthropicMessagesStreamDecoder(provider, model, raw),
  });
}
