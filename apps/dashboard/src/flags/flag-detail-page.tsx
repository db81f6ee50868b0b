import type { EnvironmentConfig, FlagView } from '../api/api-types.js';
import { useEnvironmentStream } from '../api/use-environment-stream.js';
import { Link } from '../routing/link.js';
import { useRouter } from '../routing/router.js';
import { flagViewOf, paths } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { useResource } from '../ui/use-resource.js';
import { EnvironmentPanel } from './environment-panel.js';
import { EnvironmentTabs } from './environment-tabs.js';
import { FlagDefinitionForm } from './flag-definition-form.js';
import { FlagHeader } from './flag-header.js';

/** The environment shown first: production when there is one (what is looked at in an incident). */
function defaultEnvironment(keys: string[]): string | undefined {
  return keys.includes('production') ? 'production' : keys[0];
}

/**
 * One flag: per environment the kill switch, then its targeting with the preview (and the flag's
 * definition), or its results.
 */
export function FlagDetailPage({ flagKey }: { flagKey: string }) {
  const api = useApi();
  const { project, environments } = useProject();
  const { location } = useRouter();
  const keys = environments.map((e) => e.key);
  const asked = location.search.get('env');
  const environment = asked !== null && keys.includes(asked) ? asked : defaultEnvironment(keys);
  const view = flagViewOf(location.search);
  const path = `/api/v1/flags/${encodeURIComponent(flagKey)}`;
  const flag = useResource(`${project}/${flagKey}`, (signal) =>
    api.get<FlagView>(path, { query: { project }, signal }),
  );

  const live = useEnvironmentStream(project, environment, (change) => {
    // A put is the whole environment (on connect, or after many changes): this flag may be in it.
    if (change.event === 'put' || (change.kind === 'flag' && change.key === flagKey)) flag.reload();
  });

  if (flag.data === undefined) {
    return flag.error === undefined ? (
      <p className="loading">Loading…</p>
    ) : (
      <ErrorBanner error={flag.error} onRetry={flag.reload} />
    );
  }
  const data = flag.data;
  const config = environment === undefined ? undefined : data.environments[environment];
  const onConfig = (env: string, next: EnvironmentConfig) =>
    flag.setData({ ...data, environments: { ...data.environments, [env]: next } });

  return (
    <>
      <p className="breadcrumb">
        <Link href={paths.flags}>Flags</Link> / <span className="mono">{data.key}</span>
      </p>
      <FlagHeader flag={data} onChanged={flag.setData} onReload={flag.reload} />
      <ErrorBanner error={flag.error} onRetry={flag.reload} />
      {environment !== undefined && config !== undefined && (
        <>
          <EnvironmentTabs flag={data} environments={keys} current={environment} view={view} />
          <EnvironmentPanel
            key={environment}
            flag={data}
            environment={environment}
            config={config}
            view={view}
            live={live}
            onConfig={(next) => onConfig(environment, next)}
            onReload={flag.reload}
          />
        </>
      )}
      {view === 'targeting' && (
        <FlagDefinitionForm flag={data} onSaved={flag.setData} onReload={flag.reload} />
      )}
    </>
  );
}
