/** What {@link relaySse} needs besides the upstream bytes. */
export interface SseRelayOptions {
  /** Drop chat completions usage-only chunks (`"choices":[]` with a usage), which the client did not ask for. */
  withholdUsage: boolean;
  /**
   * Called once the upstream ended or failed: an event to send last (the protocol's error event when
   * the stream failed), or undefined.
   */
  closing(failed: boolean): Promise<string | undefined>;
}

const LF = 0x0a;
const CR = 0x0d;
const encoder = new TextEncoder();

/**
 * Relays an upstream event stream to the client: the bytes as they came, whole events at a time (a
 * partial event waits for its end, which a client could not use sooner anyway). A stream that fails
 * midway ends with the protocol's error event instead of a torn event, so clients raise an error rather
 * than choke on half a JSON object.
 */
export function relaySse(
  source: ReadableStream<Uint8Array>,
  options: SseRelayOptions,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let tail: Uint8Array = new Uint8Array(0);
  const end = async (controller: ReadableStreamDefaultController<Uint8Array>, failed: boolean) => {
    // What is left after a failure is a torn event: dropped.
    if (!failed && tail.length > 0) controller.enqueue(tail);
    const last = await options.closing(failed);
    if (last !== undefined) controller.enqueue(encoder.encode(`${failed ? '\n\n' : ''}${last}`));
    controller.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        let read: Awaited<ReturnType<typeof reader.read>>;
        try {
          read = await reader.read();
        } catch {
          await end(controller, true);
          return;
        }
        if (read.done) {
          await end(controller, false);
          return;
        }
        const bytes = tail.length === 0 ? read.value : concat(tail, read.value);
        const cut = afterLastEvent(bytes);
        if (cut === 0) {
          tail = bytes;
          continue;
        }
        tail = bytes.slice(cut);
        const events = bytes.subarray(0, cut);
        const out = options.withholdUsage ? withoutUsageChunks(events) : events;
        if (out.length > 0) {
          controller.enqueue(out);
          return;
        }
      }
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => {});
    },
  });
}

/** The index just after the last blank line (`\n\n` or `\r\n\r\n`), or 0 when there is none. */
function afterLastEvent(bytes: Uint8Array): number {
  for (let i = bytes.length - 1; i >= 1; i--) {
    if (bytes[i] !== LF) continue;
    if (bytes[i - 1] === LF) return i + 1;
    if (i >= 3 && bytes[i - 1] === CR && bytes[i - 2] === LF && bytes[i - 3] === CR) return i + 1;
  }
  return 0;
}

const USAGE_ONLY = /"choices"\s*:\s*\[\s*\]/;

/** The events without chat completions usage-only chunks; the other bytes unchanged. */
function withoutUsageChunks(bytes: Uint8Array): Uint8Array {
  const text = new TextDecoder().decode(bytes);
  if (!USAGE_ONLY.test(text)) return bytes;
  const kept = text
    .split(/(?<=\r?\n\r?\n)/)
    .filter((event) => !(USAGE_ONLY.test(event) && isUsageOnly(event)))
    .join('');
  return encoder.encode(kept);
}

function isUsageOnly(event: string): boolean {
  const data = event
    .split(/\r?\n/)
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trimStart())
    .join('\n');
  try {
    const chunk = JSON.parse(data) as { choices?: unknown; usage?: unknown };
    return Array.isArray(chunk.choices) && chunk.choices.length === 0 && chunk.usage != null;
  } catch {
    return false;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
