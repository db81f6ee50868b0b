/**
 * The SDK half of the LLM bench, in a process of its own (built packages): a client on a bootstrap
 * snapshot with an ai-config flag, and a model call that answers at once with an OpenAI-shaped chat
 * completion; the time of `tracker.track(call)` minus the time of `call()`, per generation, over
 * rounds of `calls` calls (median of rounds), plus the cost per chunk of a tracked stream and of
 * `aiConfig` itself. Prints one JSON line, a {@link TrackReport}.
 */
import type { Snapshot } from '@switchboard/core';
import { createClient } from '@switchboard/sdk';

export interface TrackReport {
  /** Median over rounds of (tracked − untracked) per generation, µs. */
  trackOverheadUs: number;
  trackOverheadMinUs: number;
  trackOverheadMaxUs: number;
  /** Extra per chunk of a tracked 200-chunk stream, µs. */
  streamChunkUs: number;
  /** One `aiConfig` call (evaluation, rendering, tracker), µs. */
  aiConfigUs: number;
}

const CALLS = 50_000;
const ROUNDS = 15;

const snapshot: Snapshot = {
  flags: [
    {
      key: 'support-bot',
      kind: 'ai-config',
      salt: 'q7hx2m9kd1c4v8p',
      variants: [
        {
          key: 'control',
          value: {
            provider: 'openai',
            model: 'gpt-4o',
            messages: [{ role: 'system', content: 'You support {{product}}.' }],
            params: { temperature: 0.2 },
            tools: [],
            fallbacks: [],
          },
        },
        {
          key: 'candidate',
          value: {
            provider: 'anthropic',
            model: 'claude-sonnet-4-6',
            messages: [],
            params: {},
            tools: [],
            fallbacks: [],
          },
        },
      ],
      enabled: true,
      targets: [],
      rules: [],
      prerequisites: [],
      fallthrough: {
        split: [
          { variant: 'candidate', weight: 50_000 },
          { variant: 'control', weight: 50_000 },
        ],
      },
      version: 1,
    },
  ],
  segments: [],
};

// Nothing listens at the URL and nothing is flushed: the bench measures the SDK, not the network.
const client = createClient({
  url: 'http://127.0.0.1:9',
  sdkKey: 'sb_server_bench',
  bootstrap: snapshot,
  stream: false,
  events: { flushIntervalMs: 3_600_000, batchSize: 100_000_000, maxBuffer: 100_000_000 },
});
await client.ready({ timeoutMs: 100 });
const config = client.aiConfig('support-bot', { targetingKey: 'u-1' }, { variables: { product: 'Acme' } });
const completion = {
  id: 'c',
  object: 'chat.completion',
  model: 'gpt-4o',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
};
const call = async () => completion;
/** Events queued by the rounds are dropped between them, so memory stays flat. */
const drop = () => {
  (client as unknown as { events: { buffer: unknown[] } }).events.buffer.length = 0;
};

async function perCallUs(tracked: boolean): Promise<number> {
  const t0 = performance.now();
  if (tracked) for (let i = 0; i < CALLS; i++) await config.tracker.track(call);
  else for (let i = 0; i < CALLS; i++) await call();
  return ((performance.now() - t0) * 1000) / CALLS;
}

await perCallUs(true);
await perCallUs(false);
drop();
const overheads: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const plain = await perCallUs(false);
  const tracked = await perCallUs(true);
  overheads.push(tracked - plain);
  drop();
}
overheads.sort((a, b) => a - b);

const chunks = Array.from({ length: 200 }, () => ({
  object: 'chat.completion.chunk',
  choices: [{ index: 0, delta: { content: 'x' } }],
}));
async function* stream() {
  for (const chunk of chunks) yield chunk;
}
async function readAll(iterable: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of iterable) {
    // Read to the end, as a caller does.
  }
}
const STREAMS = 500;
let t0 = performance.now();
for (let i = 0; i < STREAMS; i++) await readAll(stream());
const plainStreams = performance.now() - t0;
t0 = performance.now();
for (let i = 0; i < STREAMS; i++) await readAll(await config.tracker.track(() => stream()));
const trackedStreams = performance.now() - t0;
drop();

t0 = performance.now();
for (let i = 0; i < CALLS; i++)
  client.aiConfig('support-bot', { targetingKey: `u-${i % 1000}` }, { variables: { product: 'Acme' } });
const aiConfigUs = ((performance.now() - t0) * 1000) / CALLS;
drop();

const report: TrackReport = {
  trackOverheadUs: overheads[Math.floor(ROUNDS / 2)] ?? Number.NaN,
  trackOverheadMinUs: overheads[0] ?? Number.NaN,
  trackOverheadMaxUs: overheads[ROUNDS - 1] ?? Number.NaN,
  streamChunkUs: ((trackedStreams - plainStreams) * 1000) / (STREAMS * chunks.length),
  aiConfigUs,
};
console.log(JSON.stringify(report));
await client.close();
process.exit(0);
