import {
  ErrorCode,
  type EvaluationContext,
  type FlagValueType,
  GeneralError,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
  StandardResolutionReasons,
} from '@openfeature/server-sdk';
import { type ClientOptions, createClient, type SwitchboardClient } from '@switchboard/sdk';
import { toSwitchboardContext } from './evaluation-context.js';
import { type Health, HealthMonitor, STALE_AFTER_MS } from './provider-health.js';
import { toResolutionDetails } from './resolution-details.js';

/** How the provider waits and judges staleness. */
export interface SwitchboardProviderTuning {
  /** How long `initialize` waits for the server's snapshot (default 5 s) before settling for a bootstrap or cache. */
  readyTimeoutMs?: number;
  /** How long the stream may be down before the status turns STALE (default {@link STALE_AFTER_MS}). */
  staleAfterMs?: number;
}

/** The SDK's client options (the provider creates and closes the client), or a client of your own. */
export type SwitchboardProviderOptions = SwitchboardProviderTuning &
  (ClientOptions | { client: SwitchboardClient });

const READY_TIMEOUT_MS = 5_000;
/** The messages with which the SDK reports a refused key (snapshot or stream). */
const REFUSAL = /refused the (SDK key|stream)/;

/**
 * Switchboard as an OpenFeature server provider: flags are evaluated locally, in microseconds, by the
 * SDK from the snapshot the server streams, so resolving never waits on the network.
 *
 * Statuses: READY with the server's snapshot; STALE while serving a bootstrap or cache file, or when
 * the stream has been down for `staleAfterMs`; ERROR when the key is refused or there is no snapshot at
 * all (evaluations then serve what there is, or defaults). Every applied change emits
 * CONFIGURATION_CHANGED with the changed flag keys.
 *
 * @example
 * await OpenFeature.setProviderAndWait(new SwitchboardProvider({ url: 'http://127.0.0.1:7400', sdkKey: process.env.SWITCHBOARD_SDK_KEY! }));
 * const model = await OpenFeature.getClient().getStringValue('llm-model', 'gpt-4o', { targetingKey: userId, tier });
 */
export class SwitchboardProvider implements Provider {
  readonly metadata = { name: 'Switchboard' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  /** The SDK client behind the provider: for kill switches, events and AI helpers. */
  readonly client: SwitchboardClient;
  private readonly ownsClient: boolean;
  private readonly readyTimeoutMs: number;
  private readonly health: HealthMonitor;
  private refusal: string | undefined;

  private readonly onChange = (keys: string[]) => {
    if (this.health.active) this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: keys });
    this.health.check();
  };
  private readonly onStream = (state: { connected: boolean }) => this.health.streamChanged(state.connected);
  private readonly onError = (error: Error) => {
    if (REFUSAL.test(error.message)) this.refusal = error.message;
    this.health.check();
  };

  constructor(options: SwitchboardProviderOptions) {
    this.ownsClient = !('client' in options);
    this.client = 'client' in options ? options.client : createClient(options);
    this.readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
    this.health = new HealthMonitor({
      staleAfterMs: options.staleAfterMs ?? STALE_AFTER_MS,
      inputs: () => {
        const state = this.client.state();
        return {
          refused: this.refusal !== undefined,
          hasValues: state.source !== 'none',
          authoritative: state.source === 'server',
          problem: this.refusal ?? state.error,
        };
      },
      report: (health) => this.report(health),
    });
    this.client.on('change', this.onChange);
    this.client.on('stream', this.onStream);
    this.client.on('error', this.onError);
  }

  /** Waits for the server's snapshot (at most `readyTimeoutMs`); rejects (ERROR) on a refused key or with nothing to serve. */
  async initialize(): Promise<void> {
    const state = await this.client.ready({ timeoutMs: this.readyTimeoutMs });
    if (state.error !== undefined && REFUSAL.test(state.error)) this.refusal ??= state.error;
    const health = this.health.current();
    // OpenFeature cannot start STALE: it becomes READY, and the monitor reports STALE right after.
    this.health.settled(health.status === 'ERROR' ? 'ERROR' : 'READY');
    if (health.status === 'ERROR') throw new GeneralError(health.message);
  }

  /** Stops watching the client, and closes it when the provider created it. */
  async onClose(): Promise<void> {
    this.health.stop();
    this.client.off('change', this.onChange);
    this.client.off('stream', this.onStream);
    this.client.off('error', this.onError);
    if (this.ownsClient) await this.client.close();
  }

  async resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    return this.resolve(flagKey, defaultValue, context, 'boolean');
  }

  async resolveStringEvaluation(
    flagKey: string,
    defaultValue: string,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<string>> {
    return this.resolve(flagKey, defaultValue, context, 'string');
  }

  async resolveNumberEvaluation(
    flagKey: string,
    defaultValue: number,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<number>> {
    return this.resolve(flagKey, defaultValue, context, 'number');
  }

  async resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<T>> {
    return this.resolve(flagKey, defaultValue, context, 'object');
  }

  private resolve<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
    type: FlagValueType,
  ): ResolutionDetails<T> {
    try {
      // The context goes through as it is, dates aside: targetingKey and every attribute.
      const details = this.client.evaluate(flagKey, toSwitchboardContext(context), defaultValue);
      return toResolutionDetails(details, type, defaultValue);
    } catch (error) {
      // Unreachable by design (the SDK never throws); a provider must not throw either.
      return {
        value: defaultValue,
        reason: StandardResolutionReasons.ERROR,
        errorCode: ErrorCode.GENERAL,
        errorMessage: String(error),
      };
    }
  }

  private report(health: Health): void {
    const details = health.message === undefined ? {} : { message: health.message };
    if (health.status === 'READY') this.events.emit(ProviderEvents.Ready, details);
    else if (health.status === 'STALE') this.events.emit(ProviderEvents.Stale, details);
    else this.events.emit(ProviderEvents.Error, details);
  }
}
