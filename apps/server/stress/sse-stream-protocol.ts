/** The messages between a stress test and its raw SSE helpers (sse-stream-helper.ts), over IPC. */

/** What a helper is started with (JSON in its argv). */
export interface SseHelperSetup {
  /** Base URL of the server. */
  url: string;
  /** A server key: its streams carry every change as patch events. */
  sdkKey: string;
  streams: number;
  /** Streams opened at once, before waiting for their first event (the server's accept backlog is finite). */
  openBatch: number;
}

export type ToSseHelper =
  /** Start counting heartbeats afresh on every stream. */
  | { type: 'mark' }
  /** Report the heartbeats every stream received since `mark`, and the longest silence of each. */
  | { type: 'heartbeats' }
  /** Record, for every stream, when its first change (any event but a heartbeat) arrives from now on. */
  | { type: 'arm' }
  /** Send the times recorded since `arm` (null: not seen yet; the recording goes on until the next `arm`). */
  | { type: 'collect' }
  | { type: 'stop' };

export type FromSseHelper =
  /** Every stream is open and has its first `put`. */
  | { type: 'ready'; streams: number }
  | { type: 'failed'; error: string }
  | {
      type: 'heartbeats';
      /** Heartbeats per stream since `mark`. */
      counts: number[];
      /** Per stream, the longest time without any event since `mark`, up to now, in ms. */
      maxSilenceMs: number[];
      /** Streams that ended or failed since they opened. */
      dropped: number;
    }
  | { type: 'armed' }
  /** Shared-clock times (sharedNow) at which each stream saw its first change since `arm`. */
  | { type: 'times'; at: (number | null)[] };
