/**
 * The upstream of the gateway bench, in a process of its own: `startFakeProvider` from
 * `@switchboard/llm/testing` (the built package), which speaks OpenAI chat completions and Anthropic
 * messages, streaming and not. Prints `{"url": ...}` once listening; stops on SIGTERM.
 */
import { startFakeProvider } from '@switchboard/llm/testing';

/** The shadow bench's slow candidate: this model always answers late. */
const SLOW_MODEL = 'bench-shadow-slow';
const SLOW_MODEL_DELAY_MS = 250;

const fake = await startFakeProvider({
  apiKey: 'sk-bench',
  scripts: [{ kind: 'slow-response', delayMs: SLOW_MODEL_DELAY_MS, model: SLOW_MODEL, times: Infinity }],
});
console.log(JSON.stringify({ url: fake.url }));
const stop = () => void fake.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The fake keeps every request for tests' assertions; a bench sends thousands: let them go.
setInterval(() => fake.requests.splice(0), 1_000).unref();
