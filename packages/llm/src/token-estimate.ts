/** Characters per token in {@link estimateTokens}: about right for English with OpenAI's and Anthropic's tokenizers. */
export const CHARS_PER_TOKEN = 4;

/**
 * A rough token count of a text (one token per four characters, at least one for any text): used by the
 * simulated adapter and the fake provider, never to bill.
 */
export function estimateTokens(text: string): number {
  return text === '' ? 0 : Math.max(1, Math.ceil(text.length / CHARS_PER_TOKEN));
}
