import { useState } from 'react';
import type { EnvironmentConfig, FlagView } from '../api/api-types.js';
import { describeValue } from '../model/variant-values.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ConfirmDialog } from '../ui/confirm-dialog.js';
import { RetryAfterField } from './retry-after-field.js';

/** What callers are told when the flag sets none (core's DEFAULT_RETRY_AFTER_SECONDS). */
export const DEFAULT_RETRY_AFTER_SECONDS = 300;

interface Props {
  flag: FlagView;
  environment: string;
  config: EnvironmentConfig;
  /** Whether changes are being pushed by the server right now. */
  live: boolean;
  onConfig: (config: EnvironmentConfig) => void;
  onReload: () => void;
}

/** What the flag serves while off, in words. */
function offServing(flag: FlagView, config: EnvironmentConfig): string {
  if (config.offVariant === null) return "each caller's own default";
  const variant = flag.variants.find((v) => v.key === config.offVariant);
  return `“${config.offVariant}” (${describeValue(variant?.value)})`;
}

/**
 * The kill switch of one environment: its state in large type, and one unmistakable button to turn
 * the flag off (or back on), always through a confirmation.
 */
export function KillSwitch({ flag, environment, config, live, onConfig, onReload }: Props) {
  const api = useApi();
  const { project } = useProject();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const on = config.enabled;
  const retryAfter = config.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;

  const flip = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const next = await api.post<EnvironmentConfig>(
        `/api/v1/flags/${encodeURIComponent(flag.key)}/environments/${encodeURIComponent(environment)}/${on ? 'disable' : 'enable'}`,
        { version: config.version },
        { query: { project } },
      );
      onConfig(next);
      setConfirming(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section
      className={on ? 'kill-switch is-on' : 'kill-switch is-off'}
      aria-labelledby="kill-switch-title"
      data-testid="kill-switch"
      data-state={on ? 'on' : 'off'}
    >
      <div className="kill-switch-state">
        <h2 id="kill-switch-title" className="visually-hidden">
          Kill switch in {environment}
        </h2>
        <p className="kill-switch-status" role="status" aria-live="polite">
          <span className="state-dot" aria-hidden="true" />
          <strong>{on ? 'On' : 'Off'}</strong> in {environment}
        </p>
        <p className="muted">
          {on
            ? `Serving by its targeting in ${environment}.`
            : `Killed: serving ${offServing(flag, config)} to everyone. Callers using killSwitch() are told to retry after ${retryAfter} s.`}
        </p>
        <p className={live ? 'live live-on' : 'live'}>
          {live ? 'Live: changes appear as the server makes them' : 'Connecting to live updates…'}
        </p>
      </div>
      <div className="kill-switch-controls">
        <button
          type="button"
          className={on ? 'kill-button kill-button-off' : 'kill-button kill-button-on'}
          onClick={() => {
            setError(undefined);
            setConfirming(true);
          }}
          disabled={flag.archived}
        >
          {on ? `Kill switch: turn off in ${environment}` : `Turn on in ${environment}`}
        </button>
        <RetryAfterField
          flag={flag}
          environment={environment}
          config={config}
          onConfig={onConfig}
          onReload={onReload}
        />
      </div>
      {confirming && (
        <ConfirmDialog
          title={on ? `Turn off ${flag.key} in ${environment}?` : `Turn on ${flag.key} in ${environment}?`}
          confirmLabel={on ? 'Turn off now' : 'Turn on'}
          danger={on}
          busy={busy}
          error={error}
          onConfirm={flip}
          onClose={() => setConfirming(false)}
          onReload={() => {
            setConfirming(false);
            onReload();
          }}
        >
          {on ? (
            <>
              <p>
                Every SDK connected to <strong>{environment}</strong> stops using this flag's targeting within
                a second and serves {offServing(flag, config)} to everyone.
              </p>
              <p>
                Callers using <code>killSwitch('{flag.key}')</code> are told to retry after{' '}
                <strong>{retryAfter} seconds</strong>.
              </p>
            </>
          ) : (
            <p>
              Every SDK connected to <strong>{environment}</strong> serves this flag by its targeting again.
            </p>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}
