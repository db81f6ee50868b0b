import { type FormEvent, useState } from 'react';
import type { EnvironmentConfig, FlagView } from '../api/api-types.js';
import type { FieldProblem } from '../model/field-errors.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { FieldProblemsContext, problemsOf } from '../ui/field-problems.js';
import type { Draft } from '../ui/use-draft.js';
import { OffVariantField } from './off-variant-field.js';
import { PrerequisitesEditor } from './prerequisites-editor.js';
import { RuleEditor } from './rule-editor.js';
import { ServeEditor } from './serve-editor.js';
import { newRule, patchOf, type RuleDraft, type TargetingDraft } from './targeting-draft.js';
import { TargetsEditor } from './targets-editor.js';

interface Props {
  flag: FlagView;
  environment: string;
  config: EnvironmentConfig;
  targeting: Draft<TargetingDraft, EnvironmentConfig>;
  segments: string[];
  otherFlags: FlagView[];
  onSaved: (config: EnvironmentConfig) => void;
  onReload: () => void;
}

/**
 * A flag's targeting in one environment: off variant, prerequisites, individual targets, ordered rules
 * and the default. Edits stay a draft until saved with the version they started from.
 */
export function TargetingEditor({
  flag,
  environment,
  config,
  targeting,
  segments,
  otherFlags,
  onSaved,
  onReload,
}: Props) {
  const api = useApi();
  const { project } = useProject();
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const { draft, dirty } = targeting;
  const variants = flag.variants.map((v) => v.key);
  const set = (patch: Partial<TargetingDraft>) => targeting.setDraft({ ...draft, ...patch });
  const setRules = (rules: RuleDraft[]) => set({ rules });

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const { patch, problems: found } = patchOf(draft);
    setProblems(found);
    setError(undefined);
    if (found.length > 0) return;
    setBusy(true);
    try {
      const saved = await api.patch<EnvironmentConfig>(
        `/api/v1/flags/${encodeURIComponent(flag.key)}/environments/${encodeURIComponent(environment)}`,
        { ...patch, version: targeting.baseVersion },
        { query: { project } },
      );
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
    targeting.discard();
  };

  return (
    <FieldProblemsContext.Provider value={problems}>
      <form className="targeting card" onSubmit={save} noValidate aria-labelledby="targeting-title">
        <h2 id="targeting-title">Targeting in {environment}</h2>
        {flag.archived && (
          <p className="banner banner-warning">This flag is archived: restore it to change its targeting.</p>
        )}
        {dirty && targeting.baseVersion !== config.version && (
          <p className="banner banner-warning" role="status">
            This targeting changed on the server since you started editing. Saving will be refused: discard
            your edits to see the current version.
          </p>
        )}
        <section aria-labelledby="prerequisites-title">
          <h3 id="prerequisites-title">Prerequisites</h3>
          <PrerequisitesEditor
            prerequisites={draft.prerequisites}
            flags={otherFlags}
            onChange={(prerequisites) => set({ prerequisites })}
          />
          <OffVariantField
            variants={variants}
            value={draft.offVariant}
            onChange={(offVariant) => set({ offVariant })}
          />
        </section>
        <section aria-labelledby="targets-title">
          <h3 id="targets-title">Individual targets</h3>
          <TargetsEditor
            targets={draft.targets}
            variants={variants}
            onChange={(targets) => set({ targets })}
          />
        </section>
        <section aria-labelledby="rules-title">
          <h3 id="rules-title">Rules</h3>
          <p className="hint">Tried in order; the first whose conditions all match decides.</p>
          {draft.rules.map((rule, i) => (
            <RuleEditor
              key={rule.uid}
              rule={rule}
              index={i}
              count={draft.rules.length}
              variants={variants}
              segments={segments}
              onChange={(r) => setRules(draft.rules.map((x, j) => (j === i ? r : x)))}
              onRemove={() => setRules(draft.rules.filter((_, j) => j !== i))}
              onMove={(to) => {
                const rules = draft.rules.filter((_, j) => j !== i);
                rules.splice(to, 0, rule);
                setRules(rules);
              }}
            />
          ))}
          <button
            type="button"
            className="button"
            onClick={() => setRules([...draft.rules, newRule(variants)])}
          >
            Add rule
          </button>
        </section>
        <section aria-labelledby="fallthrough-title">
          <h3 id="fallthrough-title">Everyone else</h3>
          <ServeEditor
            serve={draft.fallthrough}
            variants={variants}
            path="body.fallthrough"
            label="Everyone else"
            onChange={(fallthrough) => set({ fallthrough })}
          />
        </section>
        <ErrorBanner
          error={error}
          onReload={() => {
            setError(undefined);
            setProblems([]);
            onReload();
          }}
        />
        <div className={dirty ? 'save-bar is-dirty' : 'save-bar'}>
          <span className="muted">{dirty ? 'Unsaved changes' : `Saved · version ${config.version}`}</span>
          <button type="button" className="button button-quiet" onClick={discard} disabled={!dirty || busy}>
            Discard
          </button>
          <button type="submit" className="button button-primary" disabled={!dirty || busy || flag.archived}>
            {busy ? 'Saving…' : 'Save targeting'}
          </button>
        </div>
      </form>
    </FieldProblemsContext.Provider>
  );
}
