import { randomUUID } from 'node:crypto';
import { isUniqueViolation } from '../../db/store-helpers.js';
import { AlreadyExistsError, NotFoundError } from '../../http/errors.js';
import type { Actor, ServiceContext } from '../../service-context.js';
import type { Environment, Project, ProjectStore } from './project-store.js';

/** The project every fresh install has, with its environments. */
export const DEFAULT_PROJECT = 'default';
export const DEFAULT_ENVIRONMENTS = ['development', 'staging', 'production'] as const;

export class ProjectService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: ProjectStore,
  ) {}

  /** Creates the default project and its environments when the store has no project at all. */
  async ensureDefault(): Promise<void> {
    if ((await this.store.listProjects()).length > 0) return;
    try {
      await this.createProject({ key: DEFAULT_PROJECT, name: 'Default' }, 'system');
    } catch (error) {
      // Another replica created it first.
      if (!(error instanceof AlreadyExistsError)) throw error;
    }
  }

  listProjects(): Promise<Project[]> {
    return this.store.listProjects();
  }

  async getProject(key: string): Promise<Project> {
    const project = await this.store.findProject(key);
    if (project === undefined) throw new NotFoundError('project', key);
    return project;
  }

  async createProject(
    input: { key: string; name?: string | undefined; environments?: readonly string[] | undefined },
    actor: Actor,
  ): Promise<{ project: Project; environments: Environment[] }> {
    const at = this.ctx.clock().toISOString();
    const project: Project = {
      id: randomUUID(),
      key: input.key,
      name: input.name ?? input.key,
      createdAt: at,
    };
    const environments: Environment[] = (input.environments ?? DEFAULT_ENVIRONMENTS).map((key, position) => ({
      id: randomUUID(),
      projectId: project.id,
      key,
      name: key,
      position,
      version: 1,
      createdAt: at,
    }));
    try {
      await this.ctx.database.db.transaction().execute(async (tx) => {
        await this.store.insertProject(tx, project);
        for (const environment of environments) await this.store.insertEnvironment(tx, environment);
        await this.ctx.audit.append(tx, {
          at,
          actor,
          action: 'project.create',
          resourceType: 'project',
          resourceKey: project.key,
          project: project.key,
          environment: null,
          flag: null,
          before: null,
          after: { ...project, environments: environments.map((e) => e.key) },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExistsError('project', input.key);
      throw error;
    }
    return { project, environments };
  }

  async listEnvironments(projectKey: string): Promise<Environment[]> {
    return this.store.listEnvironments((await this.getProject(projectKey)).id);
  }

  /** The project and one of its environments, or 404 naming whichever is missing. */
  async resolve(
    projectKey: string,
    environmentKey: string,
  ): Promise<{ project: Project; environment: Environment }> {
    const project = await this.getProject(projectKey);
    const environment = await this.store.findEnvironment(project.id, environmentKey);
    if (environment === undefined) throw new NotFoundError('environment', environmentKey);
    return { project, environment };
  }

  async createEnvironment(
    projectKey: string,
    input: { key: string; name?: string | undefined },
    actor: Actor,
  ): Promise<Environment> {
    const project = await this.getProject(projectKey);
    const at = this.ctx.clock().toISOString();
    const existing = await this.store.listEnvironments(project.id);
    const environment: Environment = {
      id: randomUUID(),
      projectId: project.id,
      key: input.key,
      name: input.name ?? input.key,
      position: existing.reduce((max, e) => Math.max(max, e.position + 1), 0),
      version: 1,
      createdAt: at,
    };
    try {
      await this.ctx.database.db.transaction().execute(async (tx) => {
        await this.store.insertEnvironment(tx, environment);
        await this.ctx.audit.append(tx, {
          at,
          actor,
          action: 'environment.create',
          resourceType: 'environment',
          resourceKey: environment.key,
          project: project.key,
          environment: environment.key,
          flag: null,
          before: null,
          after: environment,
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExistsError('environment', input.key);
      throw error;
    }
    this.ctx.bus.publish({
      resource: 'environment',
      key: environment.key,
      projectId: project.id,
      environmentVersions: { [environment.id]: environment.version },
    });
    return environment;
  }

  findEnvironmentById(id: string): Promise<Environment | undefined> {
    return this.store.findEnvironmentById(id);
  }
}
