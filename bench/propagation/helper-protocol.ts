/** The messages between the propagation benchmark (run.ts) and its client helpers (client-helper.ts), over IPC. */

/** What a helper is started with (JSON in its argv). */
export interface HelperSetup {
  /** Client j of this helper connects to `urls[j % urls.length]`: with two replicas, half on each. */
  urls: string[];
  sdkKey: string;
  flagKey: string;
  clients: number;
}

export type ToHelper =
  | { type: 'ping'; id: number }
  /** Record, for every client, when its first `change` shows the flag in this state. Sent before the toggle. */
  | { type: 'arm'; toggle: number; killed: boolean }
  /** Send the times of this toggle (null for a client that has not seen it), and disarm. */
  | { type: 'collect'; toggle: number }
  | { type: 'stop' };

export type FromHelper =
  /** Every client has a server snapshot and an open stream. */
  | { type: 'ready'; clients: number }
  | { type: 'failed'; error: string }
  | { type: 'pong'; id: number; at: number }
  | { type: 'armed'; toggle: number }
  /** Every client of this helper has seen the toggle. */
  | { type: 'complete'; toggle: number }
  /** Shared-clock times (sharedNow) at which each client's `change` fired; index = client. */
  | {
      type: 'times';
      toggle: number;
      at: (number | null)[];
      streamDrops: number;
      /** CPU time this helper used from `arm` to `collect`, in ms (user + system). */
      cpuMs: number;
    };
