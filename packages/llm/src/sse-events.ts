import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ChatChunk } from './chat-request.js';

/**
 * Reads server-sent events from a response body as they arrive. Stopping early (break, return) cancels
 * the body, which releases the connection.
 */
export async function* readSseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<EventSourceMessage> {
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => queue.push(event) });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let done = false;
  try {
    for (;;) {
      const read = await reader.read();
      if (read.done) break;
      parser.feed(decoder.decode(read.value, { stream: true }));
      while (queue.length > 0) yield queue.shift() as EventSourceMessage;
    }
    done = true;
  } finally {
    if (!done) reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** Turns one protocol's stream events into neutral chunks; one instance per stream. */
export interface StreamDecoder {
  /**
   * The chunks one event carries (often none). Throws a `ProviderError` for an error event or data
   * that is not JSON. The protocol's terminating event yields the `finish` chunk and sets `ended`.
   */
  decode(event: EventSourceMessage): ChatChunk[];
  /** True once the terminating event was decoded. */
  readonly ended: boolean;
}
