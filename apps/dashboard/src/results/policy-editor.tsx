import { type FormEvent, useCallback, useId, useState } from 'react';
import type { FlagView, PolicyView } from '../api/api-types.js';
import { errorIdOf, type FieldProblem, problemAt } from '../model/field-errors.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { FieldError } from '../ui/field-error.js';
import { FieldProblemsContext, problemsOf } from '../ui/field-problems.js';
import { formatTime } from '../ui/format.js';
import { useDraft } from '../ui/use-draft.js';
import {
  POLICY_FLAGS,
  POLICY_GROUPS,
  type PolicyDraft,
  policyBodyOf,
  policyDraftOf,
  policyPath,
  samePolicyDraft,
} from './policy-draft.js';
import { PolicyNumberField } from './policy-number-field.js';

interface Props {
  flag: FlagView;
  environment: string;
  view: PolicyView;
  /** A save went through: the results are judged by the new policy. */
  onSaved: (view: PolicyView) => void;
  /** Load the stored policy again (after a version conflict). */
  onReload: () => void;
}

/**
 * The promotion policy of the flag in one environment: the control and every setting, each empty for
 * its default. Saved with the version it was read at; a change made meanwhile is refused and offered
 * to reload; fields the server refuses are marked where they are.
 */
export function PolicyEditor({ flag, environment, view, onSaved, onReload }: Props) {
  const api = useApi();
  const { project } = useProject();
  const id = useId();
  const toDraft = useCallback((v: PolicyView) => policyDraftOf(v), []);
  const edit = useDraft<PolicyView, PolicyDraft>(view, view.version, toDraft, samePolicyDraft);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const { draft, dirty } = edit;
  const controlInvalid =
    problemAt(problems, 'body.control') === undefined
      ? {}
      : { 'aria-invalid': true as const, 'aria-describedby': errorIdOf('body.control') };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const { body, problems: found } = policyBodyOf(draft);
    setProblems(found);
    setError(undefined);
    if (found.length > 0) return;
    setBusy(true);
    try {
      const saved = await api.put<PolicyView>(
        `/api/v1/flags/${encodeURIComponent(flag.key)}/environments/${encodeURIComponent(environment)}/policy`,
        { ...body, version: edit.baseVersion },
        { query: { project } },
      );
      edit.commit(saved, saved.version);
      onSaved(saved);
    } catch (e) {
      setProblems(problemsOf(e));
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const discard = () => {
    setProblems([]);
    setError(undefined);
    edit.discard();
  };

  const status =
    view.version === 0
      ? 'Never set: the defaults are in force'
      : `Saved · version ${view.version}${view.updatedAt === null ? '' : ` · ${formatTime(view.updatedAt)}`}`;

  return (
    <FieldProblemsContext.Provider value={problems}>
      <form
        className="card results-section policy-editor"
        onSubmit={save}
        noValidate
        aria-labelledby={`${id}-title`}
      >
        <h3 id={`${id}-title`}>Promotion policy in {environment}</h3>
        <p className="hint">
          What the verdict judges this flag by in {environment}. Leave a field empty for its default (shown
          greyed). Rollouts use the same policy to decide when to advance or roll back.
        </p>
        <div className="form-grid">
          <div className="field" data-setting="control">
            <label htmlFor={`${id}-control`}>Control variant</label>
            <select
              id={`${id}-control`}
              value={draft.control}
              onChange={(e) => edit.setDraft({ ...draft, control: e.target.value })}
              {...controlInvalid}
            >
              <option value="">Chosen from the configuration</option>
              {flag.variants.map((v) => (
                <option key={v.key} value={v.key}>
                  {v.key}
                  {v.name !== undefined && v.name !== '' && v.name !== v.key ? ` (${v.name})` : ''}
                </option>
              ))}
            </select>
            <p className="hint">
              The variant every other is compared with. From the configuration: a variant keyed “control”,
              else the off variant when the split serves it, else the split’s last variant.
            </p>
            <FieldError path="body.control" />
          </div>
          {POLICY_FLAGS.map((setting) => (
            <div className="field" key={setting.name} data-setting={setting.name}>
              <label htmlFor={`${id}-${setting.name}`}>{setting.label}</label>
              <select
                id={`${id}-${setting.name}`}
                value={draft.flags[setting.name]}
                onChange={(e) =>
                  edit.setDraft({
                    ...draft,
                    flags: { ...draft.flags, [setting.name]: e.target.value as '' | 'yes' | 'no' },
                  })
                }
              >
                <option value="">Default ({setting.defaultValue ? 'yes' : 'no'})</option>
                <option value="yes">Yes</option>
                <option value="no">No</option>
              </select>
              <p className="hint">{setting.hint}</p>
              <FieldError path={policyPath(setting.name)} />
            </div>
          ))}
        </div>
        {POLICY_GROUPS.map((group) => (
          <fieldset key={group.title} className="policy-group">
            <legend>{group.title}</legend>
            <div className="form-grid">
              {group.fields.map((field) => (
                <PolicyNumberField
                  key={field.name}
                  field={field}
                  value={draft.numbers[field.name]}
                  onChange={(value) =>
                    edit.setDraft({ ...draft, numbers: { ...draft.numbers, [field.name]: value } })
                  }
                />
              ))}
            </div>
          </fieldset>
        ))}
        <ErrorBanner
          error={error}
          onReload={() => {
            setError(undefined);
            setProblems([]);
            edit.discard();
            onReload();
          }}
        />
        <div className={dirty ? 'save-bar is-dirty' : 'save-bar'}>
          <span className="muted" data-testid="policy-status">
            {dirty ? 'Unsaved changes' : status}
          </span>
          <button type="button" className="button button-quiet" onClick={discard} disabled={!dirty || busy}>
            Discard
          </button>
          <button type="submit" className="button button-primary" disabled={!dirty || busy}>
            {busy ? 'Saving…' : 'Save policy'}
          </button>
        </div>
      </form>
    </FieldProblemsContext.Provider>
  );
}
