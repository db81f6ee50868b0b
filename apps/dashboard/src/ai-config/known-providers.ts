/**
 * The providers the server knows by name; any other name is an OpenAI-compatible server configured
 * in `SWITCHBOARD_PROVIDERS`, typed as free text.
 */
export const KNOWN_PROVIDERS: readonly { name: string; label: string }[] = [
  { name: 'openai', label: 'OpenAI' },
  { name: 'anthropic', label: 'Anthropic' },
  { name: 'simulated', label: 'Simulated (tests and demos)' },
];

/** Whether a provider is one of the known ones (not an OpenAI-compatible name). */
export const isKnownProvider = (provider: string): boolean =>
  KNOWN_PROVIDERS.some((p) => p.name === provider);
