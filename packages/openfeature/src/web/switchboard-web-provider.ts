import {
  type EvaluationContext,
  type FlagValueType,
  GeneralError,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
} from '@openfeature/web-sdk';
import { type BrowserClient, type BrowserClientOptions, createBrowserClient } from '@switchboard/sdk/browser';
import { toSwitchboardContext } from '../evaluation-context.js';
import { type Health, HealthMonitor, STALE_AFTER_MS } from '../provider-health.js';
import { notReadyDetails, toResolutionDetails } from '../resolution-details.js';

/** The browser client's options (the context comes from OpenFeature), and how the provider waits and judges staleness. */
export interface SwitchboardWebProviderOptions extends Omit<BrowserClientOptions, 'context'> {
  /** How long `initialize` and context changes wait for values (default 5 s). */
  readyTimeoutMs?: number;
  /** How long the stream may be down before the status turns STALE (default {@link STALE_AFTER_MS}). */
  staleAfterMs?: number;
}

const READY_TIMEOUT_MS = 5_000;

/**
 * Switchboard as an OpenFeature web provider: the server evaluates every flag for OpenFeature's context
 * (`POST /api/v1/client/evaluate`, with a client key) and flags resolve synchronously from those values.
 * A context change fetches again (RECONCILING, then READY or ERROR); a change signalled by the stream
 * fetches again and emits CONFIGURATION_CHANGED with the flags whose value changed.
 *
 * Statuses: READY with values for the context; STALE when a refresh failed or the stream has been down
 * for `staleAfterMs` (the last values are served); ERROR when the key is refused or no values could be
 * fetched for the context.
 *
 * @example
 * await OpenFeature.setProviderAndWait(new SwitchboardWebProvider({ url: 'https://flags.example.com', clientKey: 'sb_client_...' }), { targetingKey: userId });
 * const showNewCheckout = OpenFeature.getClient().getBooleanValue('new-checkout', false);
 */
export class SwitchboardWebProvider implements Provider {
  readonly metadata = { name: 'Switchboard' } as const;
  readonly runsOn = 'client' as const;
  readonly events = new OpenFeatureEventEmitter();
  private browser: BrowserClient | undefined;
  private readonly health: HealthMonitor;
  /** Context changes under way: the value changes they bring are not configuration changes. */
  private reconciling = 0;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly options: SwitchboardWebProviderOptions) {
    this.health = new HealthMonitor({
      staleAfterMs: options.staleAfterMs ?? STALE_AFTER_MS,
      inputs: () => {
        const state = this.browser?.state();
        return {
          refused: state?.refused ?? false,
          hasValues: state?.loaded ?? false,
          authoritative: state?.error === undefined,
          problem: state?.error,
        };
      },
      report: (health) => this.report(health),
    });
  }

  /** The browser client behind the provider, once initialized. */
  get client(): BrowserClient | undefined {
    return this.browser;
  }

  /** Fetches the values for OpenFeature's context; rejects (ERROR) on a refused key or when none came. */
  async initialize(context: EvaluationContext = {}): Promise<void> {
    if (this.browser !== undefined) return;
    const { readyTimeoutMs: _, staleAfterMs: __, ...clientOptions } = this.options;
    const browser = createBrowserClient({ ...clientOptions, context: toSwitchboardContext(context) });
    this.browser = browser;
    this.unsubscribe.push(
      browser.on('change', (keys) => {
        if (this.health.active && this.reconciling === 0)
          this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: keys });
        this.health.check();
      }),
      browser.on('stream', (state) => this.health.streamChanged(state.connected)),
      browser.on('error', () => this.health.check()),
    );
    await browser.ready({ timeoutMs: this.options.readyTimeoutMs ?? READY_TIMEOUT_MS });
    this.settle();
  }

  /** Fetches the values for the new context; rejects (ERROR) when they could not be fetched. */
  async onContextChange(_oldContext: EvaluationContext, newContext: EvaluationContext): Promise<void> {
    const browser = this.browser;
    if (browser === undefined) return;
    this.reconciling++;
    this.health.suspend();
    try {
      await withTimeout(
        browser.setContext(toSwitchboardContext(newContext)),
        this.options.readyTimeoutMs ?? READY_TIMEOUT_MS,
      );
    } finally {
      this.reconciling--;
    }
    this.settle();
  }

  async onClose(): Promise<void> {
    this.health.stop();
    for (const off of this.unsubscribe.splice(0)) off();
    const browser = this.browser;
    this.browser = undefined;
    await browser?.close();
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean): ResolutionDetails<boolean> {
    return this.resolve(flagKey, defaultValue, 'boolean');
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string): ResolutionDetails<string> {
    return this.resolve(flagKey, defaultValue, 'string');
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number): ResolutionDetails<number> {
    return this.resolve(flagKey, defaultValue, 'number');
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T): ResolutionDetails<T> {
    return this.resolve(flagKey, defaultValue, 'object');
  }

  /** The context is not read here: the values held were fetched for OpenFeature's context. */
  private resolve<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    type: FlagValueType,
  ): ResolutionDetails<T> {
    if (this.browser === undefined) return notReadyDetails(defaultValue);
    return toResolutionDetails(this.browser.evaluate(flagKey, defaultValue), type, defaultValue);
  }

  /** Tells the monitor what OpenFeature will hold once the current promise settles, and throws for ERROR. */
  private settle(): void {
    const health = this.health.current();
    // OpenFeature cannot settle as STALE: it becomes READY, and the monitor reports STALE right after.
    this.health.settled(health.status === 'ERROR' ? 'ERROR' : 'READY');
    if (health.status === 'ERROR') throw new GeneralError(health.message);
  }

  private report(health: Health): void {
    const details = health.message === undefined ? {} : { message: health.message };
    if (health.status === 'READY') this.events.emit(ProviderEvents.Ready, details);
    else if (health.status === 'STALE') this.events.emit(ProviderEvents.Stale, details);
    else this.events.emit(ProviderEvents.Error, details);
  }
}

/** Waits for `promise`, at most `ms` (the promise never rejects: it is the browser client's). */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
