import { createContext, useContext } from 'react';
import type { Environment, Project } from '../api/api-types.js';

export interface ProjectScope {
  project: string;
  projects: Project[];
  /** The project's environments, in their order (development, staging, production by default). */
  environments: Environment[];
}

export const ProjectContext = createContext<ProjectScope | undefined>(undefined);

/** The project the pages work in, and its environments. */
export function useProject(): ProjectScope {
  const scope = useContext(ProjectContext);
  if (scope === undefined) throw new Error('useProject outside ProjectProvider');
  return scope;
}
