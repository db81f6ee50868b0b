import type { Kysely } from 'kysely';
import type { Executor } from '../../db/store-helpers.js';
import type { Tables } from '../../db/tables.js';
import type { Environment, Project, ProjectStore } from './project-store.js';

type EnvironmentRow = Tables['environments'];

function toEnvironment(r: EnvironmentRow): Environment {
  return {
    id: r.id,
    projectId: r.project_id,
    key: r.key,
    name: r.name,
    position: Number(r.position),
    version: Number(r.version),
    createdAt: r.created_at,
  };
}

export class SqlProjectStore implements ProjectStore {
  constructor(private readonly db: Kysely<Tables>) {}

  async listProjects(): Promise<Project[]> {
    const rows = await this.db
      .selectFrom('projects')
      .selectAll()
      .orderBy('created_at')
      .orderBy('key')
      .execute();
    return rows.map((r) => ({ id: r.id, key: r.key, name: r.name, createdAt: r.created_at }));
  }

  async findProject(key: string): Promise<Project | undefined> {
    const r = await this.db.selectFrom('projects').selectAll().where('key', '=', key).executeTakeFirst();
    return r && { id: r.id, key: r.key, name: r.name, createdAt: r.created_at };
  }

  async insertProject(tx: Executor, p: Project): Promise<void> {
    await tx
      .insertInto('projects')
      .values({ id: p.id, key: p.key, name: p.name, created_at: p.createdAt })
      .execute();
  }

  async listEnvironments(projectId: string, tx: Executor = this.db): Promise<Environment[]> {
    const rows = await tx
      .selectFrom('environments')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('position')
      .execute();
    return rows.map(toEnvironment);
  }

  async findEnvironment(projectId: string, key: string): Promise<Environment | undefined> {
    const r = await this.db
      .selectFrom('environments')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('key', '=', key)
      .executeTakeFirst();
    return r && toEnvironment(r);
  }

  async findEnvironmentById(id: string): Promise<Environment | undefined> {
    const r = await this.db.selectFrom('environments').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toEnvironment(r);
  }

  async insertEnvironment(tx: Executor, e: Environment): Promise<void> {
    await tx
      .insertInto('environments')
      .values({
        id: e.id,
        project_id: e.projectId,
        key: e.key,
        name: e.name,
        position: e.position,
        version: e.version,
        created_at: e.createdAt,
      })
      .execute();
  }
}
