import { useCallback } from 'react';
import type { EnvironmentConfig, FlagView, Page, SegmentView } from '../api/api-types.js';
import { PreviewPanel } from '../preview/preview-panel.js';
import { ResultsPanel } from '../results/results-panel.js';
import { RolloutPanel } from '../rollouts/rollout-panel.js';
import type { FlagViewName } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ShadowEditor } from '../shadow/shadow-editor.js';
import { draftOf, sameDraft, type TargetingDraft } from '../targeting/targeting-draft.js';
import { TargetingEditor } from '../targeting/targeting-editor.js';
import { useDraft } from '../ui/use-draft.js';
import { useResource } from '../ui/use-resource.js';
import { FlagViewTabs } from './flag-view-tabs.js';
import { KillSwitch } from './kill-switch.js';

interface Props {
  flag: FlagView;
  environment: string;
  config: EnvironmentConfig;
  view: FlagViewName;
  live: boolean;
  onConfig: (config: EnvironmentConfig) => void;
  onReload: () => void;
}

/** Most other flags offered as prerequisites (the first page of the list). */
const PREREQUISITE_CHOICES = 500;

/**
 * A flag in one environment: the kill switch, then the targeting being edited with its preview, or the
 * results. The targeting draft lives here, so an unsaved edit survives a look at the results.
 */
export function EnvironmentPanel({ flag, environment, config, view, live, onConfig, onReload }: Props) {
  const api = useApi();
  const { project } = useProject();
  const variantList = flag.variants.map((v) => v.key).join('\n');
  const toDraft = useCallback((c: EnvironmentConfig) => draftOf(c, variantList.split('\n')), [variantList]);
  const targeting = useDraft<EnvironmentConfig, TargetingDraft>(config, config.version, toDraft, sameDraft);
  const segments = useResource(view === 'targeting' ? `segments:${project}` : null, (signal) =>
    api.get<{ items: SegmentView[] }>('/api/v1/segments', { query: { project }, signal }),
  );
  const flags = useResource(view === 'targeting' ? `flags:${project}` : null, (signal) =>
    api.get<Page<FlagView>>('/api/v1/flags', { query: { project, limit: PREREQUISITE_CHOICES }, signal }),
  );

  return (
    <div className="environment-panel">
      <KillSwitch
        flag={flag}
        environment={environment}
        config={config}
        live={live}
        onConfig={onConfig}
        onReload={onReload}
      />
      <FlagViewTabs flagKey={flag.key} environment={environment} current={view} />
      {view === 'results' ? (
        <ResultsPanel flag={flag} environment={environment} config={config} />
      ) : view === 'rollout' ? (
        <RolloutPanel flag={flag} environment={environment} config={config} onReload={onReload} />
      ) : (
        <div className="targeting-layout">
          <div className="targeting-column">
            <TargetingEditor
              flag={flag}
              environment={environment}
              config={config}
              targeting={targeting}
              segments={segments.data?.items.map((s) => s.key) ?? []}
              otherFlags={flags.data?.items.filter((f) => f.key !== flag.key) ?? []}
              onSaved={(saved) => {
                targeting.commit(saved, saved.version);
                onConfig(saved);
              }}
              onReload={() => {
                targeting.discard();
                onReload();
              }}
            />
            {flag.kind === 'ai-config' && (
              <ShadowEditor
                flag={flag}
                environment={environment}
                config={config}
                onSaved={onConfig}
                onReload={onReload}
              />
            )}
          </div>
          <PreviewPanel
            flag={flag}
            environment={environment}
            config={config}
            draft={targeting.dirty ? targeting.draft : undefined}
          />
        </div>
      )}
    </div>
  );
}
