import { randomUUID } from 'node:crypto';
import type { Clause } from '@switchboard/core';
import type { z } from 'zod';
import { bumpEnvironments, type Executor, isUniqueViolation } from '../../db/store-helpers.js';
import {
  AlreadyExistsError,
  NotFoundError,
  StateConflictError,
  ValidationError,
  VersionConflictError,
} from '../../http/errors.js';
import type { Actor, ServiceContext } from '../../service-context.js';
import { clauseProblems } from '../flags/clause-validation.js';
import type { FlagStore } from '../flags/flag-store.js';
import type { ProjectService } from '../projects/project-service.js';
import type { Environment, Project } from '../projects/project-store.js';
import { referencedSegments, referencePath } from './segment-references.js';
import type { segmentCreateSchema, segmentPatchSchema } from './segment-schemas.js';
import type { SegmentRecord, SegmentStore } from './segment-store.js';

export type SegmentCreate = z.infer<typeof segmentCreateSchema>;
export type SegmentPatch = Omit<z.infer<typeof segmentPatchSchema>, 'version'>;

/** A segment as the API shows it. */
export interface SegmentView extends Omit<SegmentRecord, 'id' | 'projectId'> {
  project: string;
}

/**
 * Segments: reusable groups of units shared by the flags and environments of a project. Every change
 * bumps the snapshot version of every environment of the project, since any of them may use it.
 */
export class SegmentService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: SegmentStore,
    private readonly projects: ProjectService,
    /** Read only: which flags' rules use a segment. */
    private readonly flags: FlagStore,
  ) {}

  async list(projectKey: string): Promise<SegmentView[]> {
    const project = await this.projects.getProject(projectKey);
    return (await this.store.list(project.id)).map((s) => view(project, s));
  }

  async get(projectKey: string, key: string): Promise<SegmentView> {
    const project = await this.projects.getProject(projectKey);
    return view(project, await this.find(project, key));
  }

  async create(projectKey: string, input: SegmentCreate, actor: Actor): Promise<SegmentView> {
    const project = await this.projects.getProject(projectKey);
    const environments = await this.projects.listEnvironments(project.key);
    const at = this.ctx.clock().toISOString();
    const segment: SegmentRecord = {
      id: randomUUID(),
      projectId: project.id,
      key: input.key,
      name: input.name ?? input.key,
      description: input.description ?? '',
      included: dedupe(input.included ?? []),
      excluded: dedupe(input.excluded ?? []),
      clauses: (input.clauses ?? []) as Clause[],
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
    try {
      const { versions } = await this.inTransaction(project, environments, async (tx) => {
        await this.validateClauses(project, segment.key, segment.clauses, tx);
        await this.store.insert(tx, segment);
        await this.audit(tx, actor, 'segment.create', project, segment.key, null, view(project, segment), at);
      });
      this.publish(project, segment.key, versions);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExistsError('segment', input.key);
      throw error;
    }
    return view(project, segment);
  }

  async update(
    projectKey: string,
    key: string,
    patch: SegmentPatch,
    expected: number,
    actor: Actor,
  ): Promise<SegmentView> {
    const project = await this.projects.getProject(projectKey);
    const environments = await this.projects.listEnvironments(project.key);
    const at = this.ctx.clock().toISOString();
    const { result: after, versions } = await this.inTransaction(project, environments, async (tx) => {
      const segment = await this.find(project, key, tx);
      if (segment.version !== expected)
        throw new VersionConflictError('segment', key, expected, segment.version);
      const clauses = patch.clauses as Clause[] | undefined;
      if (clauses !== undefined) await this.validateClauses(project, key, clauses, tx);
      const changes = {
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(patch.description === undefined ? {} : { description: patch.description }),
        ...(patch.included === undefined ? {} : { included: dedupe(patch.included) }),
        ...(patch.excluded === undefined ? {} : { excluded: dedupe(patch.excluded) }),
        ...(clauses === undefined ? {} : { clauses }),
      };
      if (!(await this.store.update(tx, segment.id, expected, changes, at))) {
        throw new VersionConflictError('segment', key, expected, segment.version);
      }
      const after = { ...segment, ...changes, version: segment.version + 1, updatedAt: at };
      await this.audit(
        tx,
        actor,
        'segment.update',
        project,
        key,
        view(project, segment),
        view(project, after),
        at,
      );
      return after;
    });
    this.publish(project, key, versions);
    return view(project, after);
  }

  /** Deletes a segment, refused while a flag rule (in any environment) or another segment uses it. */
  async remove(projectKey: string, key: string, expected: number, actor: Actor): Promise<void> {
    const project = await this.projects.getProject(projectKey);
    const environments = await this.projects.listEnvironments(project.key);
    const flagKeys = new Map(
      (await this.flags.list(project.id, { archived: 'all', limit: Number.MAX_SAFE_INTEGER })).map((f) => [
        f.id,
        f.key,
      ]),
    );
    const at = this.ctx.clock().toISOString();
    const { versions } = await this.inTransaction(project, environments, async (tx) => {
      const segment = await this.find(project, key, tx);
      if (segment.version !== expected)
        throw new VersionConflictError('segment', key, expected, segment.version);
      // Delete first, then look for users: a concurrent flag edit either committed its reference
      // before (and is seen now) or waits for this delete and then finds the segment gone.
      if (!(await this.store.remove(tx, segment.id, expected))) {
        throw new VersionConflictError('segment', key, expected, segment.version);
      }
      await this.checkUnused(project, key, environments, flagKeys, tx);
      await this.audit(tx, actor, 'segment.delete', project, key, view(project, segment), null, at);
    });
    this.publish(project, key, versions);
  }

  /**
   * Runs a change of the project's segments in one transaction, one at a time per project, then bumps
   * every environment's snapshot version (last, so that no lock is held on them while waiting).
   */
  private inTransaction<T>(
    project: Project,
    environments: readonly Environment[],
    change: (tx: Executor) => Promise<T>,
  ): Promise<{ result: T; versions: Map<string, number> }> {
    return this.ctx.database.db.transaction().execute(async (tx) => {
      await this.store.lockProject(tx, project.id);
      const result = await change(tx);
      const versions = await bumpEnvironments(
        tx,
        environments.map((e) => e.id),
      );
      return { result, versions };
    });
  }

  private async find(project: Project, key: string, tx?: Executor): Promise<SegmentRecord> {
    const segment = await this.store.find(project.id, key, tx);
    if (segment === undefined) throw new NotFoundError('segment', key);
    return segment;
  }

  /** Clauses are usable, and `inSegment` names existing segments without closing a cycle. */
  private async validateClauses(project: Project, key: string, clauses: Clause[], tx: Executor) {
    const problem = clauseProblems(clauses, 'body.clauses');
    if (problem !== undefined) throw new ValidationError(problem.field, problem.problem);
    const segments = new Map((await this.store.list(project.id, tx)).map((s) => [s.key, s]));
    const references = (k: string) => referencedSegments(segments.get(k)?.clauses ?? []);
    for (const [i, clause] of clauses.entries()) {
      if (clause.op !== 'inSegment') continue;
      for (const [j, value] of clause.values.entries()) {
        const at = `body.clauses.${i}.values.${j}`;
        if (value === key) throw new ValidationError(at, 'a segment cannot contain itself');
        if (typeof value !== 'string' || !segments.has(value)) {
          throw new ValidationError(at, `unknown segment ${JSON.stringify(value)}`);
        }
        const back = referencePath(value, key, references);
        if (back !== undefined) {
          throw new ValidationError(
            at,
            `segments cannot form a cycle: ${[key, ...back].map((k) => JSON.stringify(k)).join(' → ')}`,
          );
        }
      }
    }
  }

  /** Refuses (409) while a flag rule in any environment, or another segment, uses the segment. */
  private async checkUnused(
    project: Project,
    key: string,
    environments: readonly Environment[],
    flagKeys: ReadonlyMap<string, string>,
    tx: Executor,
  ): Promise<void> {
    const flags = new Map<string, string[]>();
    for (const environment of environments) {
      for (const [flagId, config] of await this.flags.configsForEnvironment(environment.id, tx)) {
        if (!config.rules.some((r) => referencedSegments(r.clauses).includes(key))) continue;
        const flag = flagKeys.get(flagId) ?? flagId;
        flags.set(flag, [...(flags.get(flag) ?? []), environment.key]);
      }
    }
    const segments = (await this.store.list(project.id, tx))
      .filter((s) => referencedSegments(s.clauses).includes(key))
      .map((s) => s.key);
    if (flags.size === 0 && segments.length === 0) return;
    const users = [
      ...[...flags].map(([flag, envs]) => `flag ${JSON.stringify(flag)} (${envs.join(', ')})`),
      ...segments.map((s) => `segment ${JSON.stringify(s)}`),
    ];
    throw new StateConflictError(
      `segment ${JSON.stringify(key)} is used by ${users.join(', ')}: remove those references first`,
      { flags: [...flags.keys()], segments },
    );
  }

  private async audit(
    tx: Executor,
    actor: Actor,
    action: string,
    project: Project,
    key: string,
    before: SegmentView | null,
    after: SegmentView | null,
    at: string,
  ): Promise<void> {
    await this.ctx.audit.append(tx, {
      at,
      actor,
      action,
      resourceType: 'segment',
      resourceKey: key,
      project: project.key,
      environment: null,
      flag: null,
      before,
      after,
    });
  }

  /** Tells the rest of the system about a committed change (called after the transaction resolves). */
  private publish(project: Project, key: string, versions: Map<string, number>): void {
    this.ctx.bus.publish({
      resource: 'segment',
      key,
      projectId: project.id,
      environmentVersions: Object.fromEntries(versions),
    });
  }
}

function view(project: Project, segment: SegmentRecord): SegmentView {
  const { id: _id, projectId: _projectId, ...rest } = segment;
  return { project: project.key, ...rest };
}

function dedupe(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
