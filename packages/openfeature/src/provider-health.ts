/** The statuses a provider reports itself (OpenFeature tracks NOT_READY, RECONCILING and FATAL). */
export type ProviderHealth = 'READY' | 'STALE' | 'ERROR';

/**
 * How long the stream may be down before the provider reports STALE: 60 s. Longer than a reconnection
 * usually takes (the SDK's backoff is capped at 30 s), so a server restart or a rolling deploy does not
 * flap the status; short enough that an outage shows within a minute. A dead connection is only noticed
 * after 45 s without a heartbeat, so a silent one reports STALE after 45 s + 60 s at worst.
 */
export const STALE_AFTER_MS = 60_000;

/** How often the status is recomputed, for what no event announces (the stream staying down, a bootstrap replaced). */
export const HEALTH_CHECK_INTERVAL_MS = 1_000;

/** What the status is computed from. */
export interface HealthInputs {
  /** The server refused the key: nothing more will come. */
  refused: boolean;
  /** There are values to serve (a snapshot, or values fetched for the current context). */
  hasValues: boolean;
  /** The values came from the server and were not since found out of date (not a bootstrap, cache or failed refresh). */
  authoritative: boolean;
  /** What last went wrong, for the event's message. */
  problem?: string | undefined;
}

/** A status with the reason for it. */
export interface Health {
  status: ProviderHealth;
  message?: string;
}

/**
 * The provider's status: ERROR when the key is refused or there is nothing to serve; STALE when what
 * is served is not known to be current (a bootstrap or cache, a failed refresh, or the stream down for
 * `staleAfterMs`); READY otherwise.
 */
export function healthOf(inputs: HealthInputs, streamDownForMs: number, staleAfterMs: number): Health {
  if (inputs.refused) return { status: 'ERROR', message: inputs.problem ?? 'the server refused the key' };
  if (!inputs.hasValues)
    return { status: 'ERROR', message: inputs.problem ?? 'there are no flag values yet' };
  if (!inputs.authoritative) {
    return { status: 'STALE', message: inputs.problem ?? 'the values served are not known to be current' };
  }
  if (streamDownForMs >= staleAfterMs) {
    return {
      status: 'STALE',
      message: `the stream has been down for ${Math.round(streamDownForMs / 1000)} s`,
    };
  }
  return { status: 'READY' };
}

/** What a {@link HealthMonitor} needs from its provider. */
export interface HealthMonitorOptions {
  staleAfterMs: number;
  inputs(): HealthInputs;
  /** Reports a new status to OpenFeature (the provider emits the matching event). */
  report(health: Health): void;
  now?: () => number;
}

/**
 * Keeps the status OpenFeature holds in line with the provider's state. OpenFeature sets READY or
 * ERROR itself when `initialize` (or a web provider's context change) settles: the provider tells the
 * monitor with {@link settled}, and from then on every change of status is reported once.
 */
export class HealthMonitor {
  /** The status OpenFeature holds; undefined while it manages the status itself. */
  private told: ProviderHealth | undefined;
  private streamDownSince: number | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: HealthMonitorOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The status now. */
  current(): Health {
    const down = this.streamDownSince === undefined ? 0 : this.now() - this.streamDownSince;
    return healthOf(this.options.inputs(), down, this.options.staleAfterMs);
  }

  /**
   * OpenFeature now holds `status`. A different current status is reported right after: a timer, so it
   * comes after the event OpenFeature itself emits when the promise settles.
   */
  settled(status: ProviderHealth): void {
    this.told = status;
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.check(), HEALTH_CHECK_INTERVAL_MS);
      this.timer.unref?.();
    }
    setTimeout(() => this.check(), 0).unref?.();
  }

  /** OpenFeature manages the status for a while (a context change is reconciling). */
  suspend(): void {
    this.told = undefined;
  }

  /** Records whether the stream is connected: the status goes STALE once it has been down `staleAfterMs`. */
  streamChanged(connected: boolean): void {
    if (connected) this.streamDownSince = undefined;
    else this.streamDownSince ??= this.now();
    this.check();
  }

  /** Whether OpenFeature has been told a status (initialization is over). */
  get active(): boolean {
    return this.told !== undefined;
  }

  /** Recomputes the status and reports it if it changed. */
  check(): void {
    if (this.told === undefined) return;
    const health = this.current();
    if (health.status === this.told) return;
    this.told = health.status;
    this.options.report(health);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.told = undefined;
  }
}
