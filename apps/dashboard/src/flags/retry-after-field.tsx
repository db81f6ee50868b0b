import { type FormEvent, useId, useState } from 'react';
import type { EnvironmentConfig, FlagView } from '../api/api-types.js';
import { errorIdOf } from '../model/field-errors.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { problemsOf } from '../ui/field-problems.js';

interface Props {
  flag: FlagView;
  environment: string;
  config: EnvironmentConfig;
  onConfig: (config: EnvironmentConfig) => void;
  onReload: () => void;
}

const MAX_RETRY_AFTER_SECONDS = 86_400;

/** The retry-after callers of a killed flag are told, editable. */
export function RetryAfterField({ flag, environment, config, onConfig, onReload }: Props) {
  const api = useApi();
  const { project } = useProject();
  const id = useId();
  const stored = config.retryAfterSeconds === null ? '' : String(config.retryAfterSeconds);
  const [text, setText] = useState(stored);
  const [problem, setProblem] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [seen, setSeen] = useState(stored);
  if (seen !== stored) {
    // The stored value changed (here or elsewhere): show it.
    setSeen(stored);
    setText(stored);
  }

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = text.trim();
    const value = trimmed === '' ? null : Number(trimmed);
    if (value !== null && (!Number.isInteger(value) || value < 0 || value > MAX_RETRY_AFTER_SECONDS)) {
      setProblem(`a whole number of seconds from 0 to ${MAX_RETRY_AFTER_SECONDS}, or empty for the default`);
      return;
    }
    setProblem(undefined);
    setError(undefined);
    setBusy(true);
    try {
      onConfig(
        await api.patch<EnvironmentConfig>(
          `/api/v1/flags/${encodeURIComponent(flag.key)}/environments/${encodeURIComponent(environment)}`,
          { retryAfterSeconds: value, version: config.version },
          { query: { project } },
        ),
      );
    } catch (e) {
      const [named] = problemsOf(e);
      if (named === undefined) setError(e);
      else setProblem(named.message);
    } finally {
      setBusy(false);
    }
  };

  const path = 'body.retryAfterSeconds';
  return (
    <form className="retry-after" onSubmit={save} noValidate>
      <label htmlFor={`${id}-retry`}>Retry-after callers see (seconds)</label>
      <div className="inline">
        <input
          id={`${id}-retry`}
          inputMode="numeric"
          placeholder="300 (default)"
          value={text}
          onChange={(e) => setText(e.target.value)}
          disabled={flag.archived}
          {...(problem === undefined ? {} : { 'aria-invalid': true, 'aria-describedby': errorIdOf(path) })}
        />
        <button type="submit" className="button" disabled={busy || text.trim() === stored || flag.archived}>
          Save
        </button>
      </div>
      {problem !== undefined && (
        <p className="field-error" id={errorIdOf(path)}>
          {problem}
        </p>
      )}
      <ErrorBanner error={error} onReload={onReload} />
    </form>
  );
}
