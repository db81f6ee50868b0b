import type { Executor } from '../../db/store-helpers.js';

export interface Project {
  id: string;
  key: string;
  name: string;
  createdAt: string;
}

export interface Environment {
  id: string;
  projectId: string;
  key: string;
  name: string;
  /** Order within the project. */
  position: number;
  /** Increments with every change to this environment's snapshot. */
  version: number;
  createdAt: string;
}

/**
 * Projects and their environments. Keys MUST be unique (projects globally, environments within their
 * project); creating a duplicate MUST fail with a unique violation, never overwrite. Projects MUST be
 * listed in creation order, environments by position.
 */
export interface ProjectStore {
  listProjects(): Promise<Project[]>;
  findProject(key: string): Promise<Project | undefined>;
  insertProject(tx: Executor, project: Project): Promise<void>;
  listEnvironments(projectId: string, tx?: Executor): Promise<Environment[]>;
  findEnvironment(projectId: string, key: string): Promise<Environment | undefined>;
  findEnvironmentById(id: string): Promise<Environment | undefined>;
  insertEnvironment(tx: Executor, environment: Environment): Promise<void>;
}
