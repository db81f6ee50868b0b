import { type FormEvent, useCallback, useId, useState } from 'react';
import type { EnvironmentConfig, FlagView } from '../api/api-types.js';
import type { FieldProblem } from '../model/field-errors.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { FieldError } from '../ui/field-error.js';
import { FieldProblemsContext, problemsOf, useInvalidProps } from '../ui/field-problems.js';
import { HelpTip } from '../ui/help-tip.js';
import { useDraft } from '../ui/use-draft.js';
import {
  percentText,
  type ShadowDraft,
  sameShadow,
  shadowChoices,
  shadowDraftOf,
  shadowOf,
} from './shadow-draft.js';
import './shadow.css';

interface Props {
  flag: FlagView;
  environment: string;
  config: EnvironmentConfig;
  onSaved: (config: EnvironmentConfig) => void;
  onReload: () => void;
}

/** "candidate — anthropic / claude-sonnet-4-5": a variant with the model it runs. */
function variantLabel(flag: FlagView, key: string): string {
  const value = flag.variants.find((v) => v.key === key)?.value as
    | { provider?: unknown; model?: unknown }
    | undefined;
  return typeof value?.provider === 'string' && typeof value.model === 'string'
    ? `${key} — ${value.provider} / ${value.model}`
    : key;
}

function Fields({
  flag,
  config,
  draft,
  onChange,
}: {
  flag: FlagView;
  config: EnvironmentConfig;
  draft: ShadowDraft;
  onChange: (d: ShadowDraft) => void;
}) {
  const id = useId();
  const choices = shadowChoices(
    flag.variants.map((v) => v.key),
    config,
  );
  const variantInvalid = useInvalidProps('body.shadow.variant');
  const rateInvalid = useInvalidProps('body.shadow.sampleRate');
  return (
    <div className="form-grid">
      <div className="field">
        <label htmlFor={`${id}-variant`}>Shadow variant</label>
        <select
          id={`${id}-variant`}
          value={draft.variant}
          onChange={(e) => onChange({ ...draft, variant: e.target.value })}
          disabled={flag.archived}
          {...variantInvalid}
        >
          <option value="">Off — no shadow</option>
          {choices.map((v) => (
            <option key={v} value={v}>
              {variantLabel(flag, v)}
            </option>
          ))}
        </select>
        {choices.length === 0 && (
          <p className="hint">
            Every variant is served here: only a variant nobody is served can run in shadow.
          </p>
        )}
        <FieldError path="body.shadow.variant" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-rate`}>Sample rate (% of requests)</label>
        <input
          id={`${id}-rate`}
          inputMode="decimal"
          value={draft.percent}
          disabled={draft.variant === '' || flag.archived}
          onChange={(e) => onChange({ ...draft, percent: e.target.value })}
          {...rateInvalid}
        />
        <FieldError path="body.shadow.sampleRate" />
      </div>
      <FieldError path="body.shadow" exact />
    </div>
  );
}

/**
 * Shadow mode of an AI config flag in one environment: a variant run beside the served one on a share
 * of requests, only to be measured. Saved with the environment's version, like its targeting.
 */
export function ShadowEditor({ flag, environment, config, onSaved, onReload }: Props) {
  const api = useApi();
  const { project } = useProject();
  const toDraft = useCallback((c: EnvironmentConfig) => shadowDraftOf(c.shadow), []);
  const shadow = useDraft(config, config.version, toDraft, sameShadow);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const found = shadowOf(shadow.draft);
    setProblems(found.problems);
    setError(undefined);
    if (found.problems.length > 0) return;
    setBusy(true);
    try {
      const saved = await api.patch<EnvironmentConfig>(
        `/api/v1/flags/${encodeURIComponent(flag.key)}/environments/${encodeURIComponent(environment)}`,
        { shadow: found.shadow, version: shadow.baseVersion },
        { query: { project } },
      );
      shadow.commit(saved, saved.version);
      onSaved(saved);
    } catch (e) {
      setProblems(problemsOf(e));
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const current = config.shadow;
  return (
    <FieldProblemsContext.Provider value={problems}>
      <form className="card shadow-editor" onSubmit={save} noValidate aria-labelledby="shadow-title">
        <h2 id="shadow-title">
          Shadow mode in {environment}{' '}
          <HelpTip label="shadow mode">
            On the share of requests sampled, the SDK or gateway also runs the shadow variant beside the one
            served, and only measures it: its answers are never shown to users, and the results by assigned
            variant (intent-to-treat) are unchanged. Its calls cost money.
          </HelpTip>
        </h2>
        <p className="hint" data-testid="shadow-status">
          {current == null
            ? 'No shadow runs.'
            : `${current.variant} runs in shadow on ${percentText(current.sampleRate)}% of requests.`}
        </p>
        <Fields
          flag={flag}
          config={config}
          draft={shadow.draft}
          onChange={(draft) => {
            setProblems([]);
            shadow.setDraft(draft);
          }}
        />
        <ErrorBanner
          error={error}
          onReload={() => {
            setError(undefined);
            shadow.discard();
            onReload();
          }}
        />
        <div className={shadow.dirty ? 'save-bar is-dirty' : 'save-bar'}>
          <span className="muted">
            {shadow.dirty ? 'Unsaved changes' : `Saved · version ${config.version}`}
          </span>
          <button
            type="button"
            className="button button-quiet"
            disabled={!shadow.dirty || busy}
            onClick={() => {
              setProblems([]);
              setError(undefined);
              shadow.discard();
            }}
          >
            Discard
          </button>
          <button
            type="submit"
            className="button button-primary"
            disabled={!shadow.dirty || busy || flag.archived}
          >
            {busy ? 'Saving…' : 'Save shadow'}
          </button>
        </div>
      </form>
    </FieldProblemsContext.Provider>
  );
}
