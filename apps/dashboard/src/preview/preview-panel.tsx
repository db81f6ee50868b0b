import { useState } from 'react';
import type { EnvironmentConfig, Explanation, FlagView, Snapshot } from '../api/api-types.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { patchOf, type TargetingDraft } from '../targeting/targeting-draft.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { useDebounced } from '../ui/use-debounced.js';
import { useResource } from '../ui/use-resource.js';
import { type ContextDraft, contextOf, initialContext } from './context-draft.js';
import { ContextEditor } from './context-editor.js';
import { ExplanationView } from './explanation-view.js';
import { snapshotFlagOf, withDraft } from './what-if-snapshot.js';

interface Props {
  flag: FlagView;
  environment: string;
  config: EnvironmentConfig;
  /** The unsaved targeting, when there is one: previewed instead of what is stored. */
  draft: TargetingDraft | undefined;
}

const PREVIEW_DELAY_MS = 250;

/**
 * "Who gets what": a context in, the variant, reason and deciding rule out, from the server's
 * evaluate endpoint with explain — against the stored environment, or the draft as a what-if.
 */
export function PreviewPanel({ flag, environment, config, draft }: Props) {
  const api = useApi();
  const { project } = useProject();
  const [contextDraft, setContextDraft] = useState<ContextDraft>(initialContext);
  const context = contextOf(contextDraft);
  const targeting = draft === undefined ? undefined : patchOf(draft, { preview: true });
  const request = {
    context: 'context' in context ? context.context : undefined,
    targeting: targeting?.problems.length === 0 ? targeting.patch : undefined,
    configVersion: config.version,
    flagVersion: flag.version,
  };
  const asked = JSON.stringify(request);
  const settled = useDebounced(asked, PREVIEW_DELAY_MS);
  const blocked = request.context === undefined || (targeting !== undefined && targeting.problems.length > 0);
  const ruleIds = (targeting?.patch.rules ?? config.rules).map((r) => r.id);

  const explanation = useResource(blocked ? null : settled, async (signal) => {
    const asked = JSON.parse(settled) as typeof request;
    const base = { project, flag: flag.key, context: asked.context };
    if (asked.targeting === undefined) {
      return api.post<Explanation>('/api/v1/evaluate', { ...base, environment }, { signal });
    }
    const stored = await api.get<Snapshot>('/api/v1/sdk/snapshot', {
      query: { project, environment },
      signal,
    });
    const snapshot = withDraft(stored, snapshotFlagOf(flag, config, asked.targeting));
    return api.post<Explanation>('/api/v1/evaluate', { ...base, snapshot }, { signal });
  });
  const pending = !blocked && (explanation.loading || settled !== asked);

  return (
    <section className="preview card" aria-labelledby="preview-title">
      <h2 id="preview-title">Who gets what</h2>
      <p className="hint">
        {draft === undefined
          ? `As saved in ${environment}.`
          : `With your unsaved changes, in ${environment}.`}
      </p>
      <ContextEditor
        draft={contextDraft}
        problem={'problem' in context ? context.problem : undefined}
        onChange={setContextDraft}
      />
      {targeting !== undefined && targeting.problems.length > 0 && (
        <p className="muted">
          The unsaved targeting is incomplete (Save marks what is missing); the preview resumes once it is
          complete.
        </p>
      )}
      <ErrorBanner error={explanation.error} onRetry={explanation.reload} />
      {/* Until the answer for the latest context and targeting is in, the one shown is marked as old. */}
      <div aria-live="polite" aria-busy={pending} className={pending ? 'is-loading' : ''}>
        {pending && explanation.data !== undefined && !blocked && <p className="muted">Updating…</p>}
        {explanation.data !== undefined && !blocked && (
          <ExplanationView explanation={explanation.data} flag={flag} ruleIds={ruleIds} />
        )}
      </div>
    </section>
  );
}
