/** An HTTP response whose body is read as text, chunk by chunk, as it arrives. */
export interface OpenedStream {
  status: number;
  /** Hands every chunk of the body to `onText`; resolves when the body ends, rejects when it fails. */
  read(onText: (text: string) => void): Promise<void>;
  /** Drops the body unread. */
  discard(): void;
}

/** Opens a long-lived GET; the signal aborts the request and its body. */
export type StreamTransport = (
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal },
) => Promise<OpenedStream>;

/** A transport over WHATWG `fetch` (browsers, and a `fetch` given to the Node client). */
export function fetchTransport(fetchImpl: typeof fetch): StreamTransport {
  return async (url, init) => {
    const response = await fetchImpl(url, init);
    const body = response.body;
    return {
      status: response.status,
      async read(onText) {
        if (body === null) return;
        const decoder = new TextDecoder();
        const reader = body.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            onText(decoder.decode(value, { stream: true }));
          }
        } finally {
          reader.cancel().catch(() => {});
        }
      },
      discard() {
        body?.cancel().catch(() => {});
      },
    };
  };
}
