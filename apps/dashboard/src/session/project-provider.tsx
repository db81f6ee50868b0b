import type { ReactNode } from 'react';
import type { Environment, Project } from '../api/api-types.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { useResource } from '../ui/use-resource.js';
import { ProjectContext } from './project-context.js';
import { useApi, useSession } from './session-context.js';

/** Loads the projects and the current project's environments before any page shows. */
export function ProjectProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const { project, setProject } = useSession();
  const scope = useResource(`projects:${project}`, async (signal) => {
    const projects = (await api.get<{ items: Project[] }>('/api/v1/projects', { signal })).items;
    const known = projects.some((p) => p.key === project) ? project : (projects[0]?.key ?? 'default');
    if (known !== project) setProject(known);
    const environments = (
      await api.get<{ items: Environment[] }>(`/api/v1/projects/${encodeURIComponent(known)}/environments`, {
        signal,
      })
    ).items;
    return { project: known, projects, environments };
  });
  if (scope.data === undefined) {
    return scope.error === undefined ? (
      <p className="loading">Loading…</p>
    ) : (
      <main className="page">
        <ErrorBanner error={scope.error} onRetry={scope.reload} />
      </main>
    );
  }
  return <ProjectContext.Provider value={scope.data}>{children}</ProjectContext.Provider>;
}
