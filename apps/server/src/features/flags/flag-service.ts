import { randomBytes, randomUUID } from 'node:crypto';
import {
  BUCKET_SCALE,
  type ChangeType,
  compileSnapshot,
  type FlagKind,
  type Serve,
  type SnapshotFlag,
  type Variant,
} from '@switchboard/core';
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
import type { ProjectService } from '../projects/project-service.js';
import type { Environment, Project } from '../projects/project-store.js';
import { clauseProblems } from './clause-validation.js';
import {
  aiConfigSchema,
  type environmentPatchSchema,
  type flagCreateSchema,
  type flagPatchSchema,
} from './flag-schemas.js';
import type { EnvironmentConfig, FlagFilter, FlagRecord, FlagStore, VersionedConfig } from './flag-store.js';

export type FlagCreate = z.infer<typeof flagCreateSchema>;
export type FlagPatch = Omit<z.infer<typeof flagPatchSchema>, 'version'>;
export type EnvironmentPatch = Omit<z.infer<typeof environmentPatchSchema>, 'version'>;

/** A flag with its configuration in every environment of its project. */
export interface FlagView extends Omit<FlagRecord, 'id' | 'projectId'> {
  project: string;
  environments: Record<string, VersionedConfig>;
}

/** Salts are 15 characters so that `salt.` hashes as whole murmur3 blocks (the evaluator's fast path). */
const SALT_LENGTH = 15;

function newSalt(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(SALT_LENGTH)].map((b) => alphabet[b % alphabet.length]).join('');
}

/**
 * What a flag serves in an environment it has never been configured in: disabled, off serving the
 * `false` variant of a boolean flag (else the first), and when enabled serving the `true` variant of
 * a boolean flag (else the first).
 */
export function defaultConfig(variants: readonly Variant[], kind: string): VersionedConfig {
  const first = variants[0]?.key ?? '';
  const byValue = (value: boolean) => variants.find((v) => v.value === value)?.key ?? first;
  const isBoolean = kind === 'boolean';
  return {
    enabled: false,
    offVariant: isBoolean ? byValue(false) : first,
    targets: [],
    rules: [],
    fallthrough: { variant: isBoolean ? byValue(true) : first },
    prerequisites: [],
    retryAfterSeconds: null,
    shadow: null,
    version: 0,
  };
}

/** The evaluator's view of a flag in one environment. */
export function toSnapshotFlag(
  flag: FlagRecord,
  config: EnvironmentConfig & { version: number },
): SnapshotFlag {
  return {
    key: flag.key,
    kind: flag.kind as FlagKind,
    variants: flag.variants,
    salt: flag.salt,
    tags: flag.tags,
    changeType: flag.changeType as ChangeType,
    enabled: config.enabled,
    ...(config.offVariant === null ? {} : { offVariant: config.offVariant }),
    targets: config.targets,
    rules: config.rules,
    fallthrough: config.fallthrough,
    prerequisites: config.prerequisites,
    // Monotone in both: a definition edit or a configuration edit both move the flag forward.
    version: flag.version + config.version,
    ...(config.retryAfterSeconds === null ? {} : { retryAfterSeconds: config.retryAfterSeconds }),
    ...(config.shadow == null ? {} : { shadow: config.shadow }),
  };
}

/** A flag turned off in one environment, as {@link FlagService.onKill} tells it. */
export interface FlagKill {
  project: string;
  flag: string;
  environment: string;
  actor: Actor;
}

/** Options of {@link FlagService.updateEnvironment}. */
export interface EnvironmentWriteOptions {
  /**
   * Runs inside the write's transaction, after the configuration and its audit entry are written:
   * what it writes commits with the change, and what it throws undoes it.
   */
  within?: (tx: Executor, written: VersionedConfig) => Promise<void>;
}

export class FlagService {
  private readonly killListeners = new Set<(kill: FlagKill) => void>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: FlagStore,
    private readonly projects: ProjectService,
    /** The segment keys of a project, to check `inSegment` clauses against. */
    private readonly segmentKeys: (projectId: string, tx?: Executor) => Promise<Set<string>>,
  ) {}

  /**
   * Creates a flag with a new random salt. `options.salt` (never from the HTTP API) gives one instead,
   * for a repeatable run such as `switchboard simulate --seed`: 15 characters of [a-z0-9].
   */
  async create(
    projectKey: string,
    input: FlagCreate,
    actor: Actor,
    options: { salt?: string } = {},
  ): Promise<FlagView> {
    if (options.salt !== undefined && !/^[a-z0-9]{15}$/.test(options.salt)) {
      throw new Error(`a flag salt is ${SALT_LENGTH} characters of [a-z0-9]`);
    }
    const project = await this.projects.getProject(projectKey);
    const variants = this.validateVariants(input.kind, input.variants as Variant[], 'body.variants');
    const at = this.ctx.clock().toISOString();
    const flag: FlagRecord = {
      id: randomUUID(),
      projectId: project.id,
      key: input.key,
      name: input.name ?? input.key,
      description: input.description ?? '',
      kind: input.kind,
      variants,
      salt: options.salt ?? newSalt(),
      tags: dedupe(input.tags ?? []),
      changeType: input.changeType ?? 'other',
      archived: false,
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
    const environments = await this.projects.listEnvironments(project.key);
    try {
      const versions = await this.ctx.database.db.transaction().execute(async (tx) => {
        await this.store.insert(tx, flag);
        const view = this.view(project, flag, environments, new Map());
        await this.audit(tx, actor, 'flag.create', project, null, flag.key, null, view, at);
        return bumpEnvironments(
          tx,
          environments.map((e) => e.id),
        );
      });
      this.publish(project, flag.key, versions);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExistsError('flag', input.key);
      throw error;
    }
    return this.get(projectKey, flag.key);
  }

  async get(projectKey: string, key: string): Promise<FlagView> {
    const project = await this.projects.getProject(projectKey);
    const flag = await this.find(project, key);
    const environments = await this.projects.listEnvironments(project.key);
    return this.view(project, flag, environments, await this.store.configs(flag.id));
  }

  async list(projectKey: string, filter: Omit<FlagFilter, 'afterKey'> & { cursor?: string | undefined }) {
    const project = await this.projects.getProject(projectKey);
    const environments = await this.projects.listEnvironments(project.key);
    const rows = await this.store.list(project.id, {
      ...filter,
      afterKey: filter.cursor,
      limit: filter.limit + 1,
    });
    const page = rows.slice(0, filter.limit);
    const items = await Promise.all(
      page.map(async (flag) => this.view(project, flag, environments, await this.store.configs(flag.id))),
    );
    return { items, nextCursor: rows.length > filter.limit ? page[page.length - 1]?.key : undefined };
  }

  async update(
    projectKey: string,
    key: string,
    patch: FlagPatch,
    expected: number,
    actor: Actor,
  ): Promise<FlagView> {
    const project = await this.projects.getProject(projectKey);
    const environments = await this.projects.listEnvironments(project.key);
    const at = this.ctx.clock().toISOString();
    const versions = await this.ctx.database.db.transaction().execute(async (tx) => {
      const flag = await this.find(project, key, tx);
      const variants =
        patch.variants === undefined
          ? undefined
          : this.validateVariants(flag.kind, patch.variants as Variant[], 'body.variants');
      if (variants !== undefined) {
        // Every environment's configuration must still name existing variants.
        const configs = await this.store.configs(flag.id, tx);
        for (const environment of environments) {
          const config = configs.get(environment.id) ?? defaultConfig(flag.variants, flag.kind);
          const next = { ...flag, variants };
          this.validateReferences(next, config, `environments.${environment.key}`);
        }
        await this.checkDependentsKeepVariants(project, flag, variants, environments, tx);
      }
      const changes = {
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(patch.description === undefined ? {} : { description: patch.description }),
        ...(variants === undefined ? {} : { variants }),
        ...(patch.tags === undefined ? {} : { tags: dedupe(patch.tags) }),
        ...(patch.changeType === undefined ? {} : { changeType: patch.changeType }),
      };
      if (!(await this.store.updateDefinition(tx, flag.id, expected, changes, at))) {
        throw new VersionConflictError('flag', key, expected, flag.version);
      }
      const after = { ...flag, ...changes, version: flag.version + 1, updatedAt: at };
      await this.audit(
        tx,
        actor,
        'flag.update',
        project,
        null,
        key,
        definitionOf(flag),
        definitionOf(after),
        at,
      );
      return bumpEnvironments(
        tx,
        environments.map((e) => e.id),
      );
    });
    this.publish(project, key, versions);
    return this.get(projectKey, key);
  }

  async setArchived(
    projectKey: string,
    key: string,
    archived: boolean,
    expected: number,
    actor: Actor,
  ): Promise<FlagView> {
    const project = await this.projects.getProject(projectKey);
    const environments = await this.projects.listEnvironments(project.key);
    const at = this.ctx.clock().toISOString();
    const versions = await this.ctx.database.db.transaction().execute(async (tx) => {
      const flag = await this.find(project, key, tx);
      if (archived) await this.checkNotAPrerequisite(project, flag, environments, tx);
      if (!(await this.store.updateDefinition(tx, flag.id, expected, { archived }, at))) {
        throw new VersionConflictError('flag', key, expected, flag.version);
      }
      await this.audit(
        tx,
        actor,
        archived ? 'flag.archive' : 'flag.restore',
        project,
        null,
        key,
        { archived: flag.archived, version: flag.version },
        { archived, version: flag.version + 1 },
        at,
      );
      return bumpEnvironments(
        tx,
        environments.map((e) => e.id),
      );
    });
    this.publish(project, key, versions);
    return this.get(projectKey, key);
  }

  async getEnvironment(projectKey: string, key: string, environmentKey: string): Promise<VersionedConfig> {
    const { project, environment } = await this.projects.resolve(projectKey, environmentKey);
    const flag = await this.find(project, key);
    return (await this.store.configs(flag.id)).get(environment.id) ?? defaultConfig(flag.variants, flag.kind);
  }

  /** Applies a patch to a flag's configuration in one environment, refused unless `expected` is current. */
  async updateEnvironment(
    projectKey: string,
    key: string,
    environmentKey: string,
    patch: EnvironmentPatch,
    expected: number,
    actor: Actor,
    action = 'flag.environment.update',
    options: EnvironmentWriteOptions = {},
  ): Promise<VersionedConfig> {
    const { project, environment } = await this.projects.resolve(projectKey, environmentKey);
    const at = this.ctx.clock().toISOString();
    const { written, versions, wasEnabled } = await this.ctx.database.db.transaction().execute(async (tx) => {
      const flag = await this.find(project, key, tx);
      if (flag.archived)
        throw new StateConflictError(`flag ${JSON.stringify(key)} is archived: restore it first`);
      const current =
        (await this.store.configs(flag.id, tx)).get(environment.id) ??
        defaultConfig(flag.variants, flag.kind);
      if (current.version !== expected)
        throw new VersionConflictError('flag environment', key, expected, current.version);
      const { version: _version, ...base } = current;
      const next: EnvironmentConfig = {
        ...base,
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
        ...(patch.offVariant === undefined ? {} : { offVariant: patch.offVariant }),
        ...(patch.targets === undefined ? {} : { targets: patch.targets }),
        ...(patch.rules === undefined
          ? {}
          : { rules: patch.rules.map((r) => ({ ...r, id: r.id ?? `rule-${randomUUID().slice(0, 8)}` })) }),
        ...(patch.fallthrough === undefined ? {} : { fallthrough: patch.fallthrough as Serve }),
        ...(patch.prerequisites === undefined ? {} : { prerequisites: patch.prerequisites }),
        ...(patch.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: patch.retryAfterSeconds }),
        ...(patch.shadow === undefined ? {} : { shadow: patch.shadow }),
      } as EnvironmentConfig;
      this.validateReferences(flag, next, 'body');
      await this.validateAgainstProject(project, environment, flag, next, tx);
      if (!(await this.store.writeConfig(tx, flag.id, environment.id, expected, next, at))) {
        // Another write committed between our read and ours: report what is stored now.
        const stored =
          (await this.store.configs(flag.id, tx)).get(environment.id)?.version ?? current.version;
        throw new VersionConflictError('flag environment', key, expected, stored);
      }
      const written: VersionedConfig = { ...next, shadow: next.shadow ?? null, version: expected + 1 };
      await this.audit(tx, actor, action, project, environment.key, key, current, written, at);
      await options.within?.(tx, written);
      return { written, versions: await bumpEnvironments(tx, [environment.id]), wasEnabled: current.enabled };
    });
    this.publish(project, key, versions);
    if (wasEnabled && !written.enabled) {
      for (const listener of this.killListeners) {
        try {
          listener({ project: project.key, flag: key, environment: environment.key, actor });
        } catch {
          // A listener's failure is its own: the change is committed and published.
        }
      }
    }
    return written;
  }

  /**
   * Calls `listener` after every committed write that turns a flag off in an environment (the kill
   * switch, by whatever route), once it is published. Returns a function that unsubscribes.
   */
  onKill(listener: (kill: FlagKill) => void): () => void {
    this.killListeners.add(listener);
    return () => this.killListeners.delete(listener);
  }

  private async find(project: Project, key: string, tx?: Executor): Promise<FlagRecord> {
    const flag = await this.store.find(project.id, key, tx);
    if (flag === undefined) throw new NotFoundError('flag', key);
    return flag;
  }

  private view(
    project: Project,
    flag: FlagRecord,
    environments: readonly Environment[],
    configs: Map<string, VersionedConfig>,
  ): FlagView {
    const { id: _id, projectId: _projectId, ...definition } = flag;
    return {
      project: project.key,
      ...definition,
      environments: Object.fromEntries(
        environments.map((e) => [e.key, configs.get(e.id) ?? defaultConfig(flag.variants, flag.kind)]),
      ),
    };
  }

  /** Checks variant values against the flag's kind; returns them without unknown fields. */
  private validateVariants(kind: string, variants: Variant[], field: string): Variant[] {
    const seen = new Set<string>();
    return variants.map((variant, i) => {
      const at = `${field}.${i}`;
      if (seen.has(variant.key))
        throw new ValidationError(`${at}.key`, `duplicate variant key ${JSON.stringify(variant.key)}`);
      seen.add(variant.key);
      let value = variant.value;
      switch (kind) {
        case 'boolean':
          if (typeof value !== 'boolean')
            throw new ValidationError(`${at}.value`, 'must be a boolean for a boolean flag');
          break;
        case 'string':
          if (typeof value !== 'string')
            throw new ValidationError(`${at}.value`, 'must be a string for a string flag');
          break;
        case 'number':
          if (typeof value !== 'number' || !Number.isFinite(value)) {
            throw new ValidationError(`${at}.value`, 'must be a finite number for a number flag');
          }
          break;
        case 'json':
          if (value === undefined) throw new ValidationError(`${at}.value`, 'is required');
          break;
        case 'ai-config': {
          const parsed = aiConfigSchema.safeParse(value);
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            const path = issue?.path.length ? `.${issue.path.join('.')}` : '';
            throw new ValidationError(`${at}.value${path}`, issue?.message ?? 'is not an AI config');
          }
          value = parsed.data as Variant['value'];
          break;
        }
      }
      return {
        key: variant.key,
        value: value as Variant['value'],
        ...(variant.name === undefined ? {} : { name: variant.name }),
        ...(variant.description === undefined ? {} : { description: variant.description }),
      };
    });
  }

  /** Every variant a configuration names exists; splits total 100000; clauses are usable. */
  private validateReferences(flag: FlagRecord, config: EnvironmentConfig, field: string): void {
    const variants = new Set(flag.variants.map((v) => v.key));
    const known = (variant: string, at: string) => {
      if (!variants.has(variant)) {
        throw new ValidationError(
          at,
          `unknown variant ${JSON.stringify(variant)}; the flag has ${[...variants].join(', ')}`,
        );
      }
    };
    const checkServe = (serve: Serve, at: string) => {
      if ('split' in serve) {
        let total = 0;
        serve.split.forEach((entry, i) => {
          known(entry.variant, `${at}.split.${i}.variant`);
          total += entry.weight;
        });
        if (total !== BUCKET_SCALE)
          throw new ValidationError(`${at}.split`, `weights total ${total}, not ${BUCKET_SCALE} (100%)`);
      } else {
        known(serve.variant, `${at}.variant`);
      }
    };
    if (config.offVariant !== null) known(config.offVariant, `${field}.offVariant`);
    for (const [i, t] of config.targets.entries()) known(t.variant, `${field}.targets.${i}.variant`);
    const ruleIds = new Set<string>();
    config.rules.forEach((rule, i) => {
      if (ruleIds.has(rule.id))
        throw new ValidationError(`${field}.rules.${i}.id`, `duplicate rule id ${JSON.stringify(rule.id)}`);
      ruleIds.add(rule.id);
      const problems = clauseProblems(rule.clauses, `${field}.rules.${i}.clauses`);
      if (problems !== undefined) throw new ValidationError(problems.field, problems.problem);
      checkServe(rule.serve, `${field}.rules.${i}.serve`);
    });
    checkServe(config.fallthrough, `${field}.fallthrough`);
    if (config.shadow != null) {
      if (flag.kind !== 'ai-config') {
        throw new ValidationError(
          `${field}.shadow`,
          `only ai-config flags have a shadow; ${JSON.stringify(flag.key)} is a ${flag.kind} flag`,
        );
      }
      known(config.shadow.variant, `${field}.shadow.variant`);
    }
  }

  /** Segments and prerequisites exist, and the evaluator accepts the result (no cycles, no deep chains). */
  private async validateAgainstProject(
    project: Project,
    environment: Environment,
    flag: FlagRecord,
    config: EnvironmentConfig,
    tx: Executor,
  ): Promise<void> {
    const segments = await this.segmentKeys(project.id, tx);
    for (const [i, rule] of config.rules.entries()) {
      for (const [j, clause] of rule.clauses.entries()) {
        if (clause.op !== 'inSegment') continue;
        for (const [k, value] of clause.values.entries()) {
          if (typeof value !== 'string' || !segments.has(value)) {
            throw new ValidationError(
              `body.rules.${i}.clauses.${j}.values.${k}`,
              `unknown segment ${JSON.stringify(value)}`,
            );
          }
        }
      }
    }
    const active = await this.store.listActive(project.id, tx);
    const byKey = new Map(active.map((f) => [f.key, f]));
    config.prerequisites.forEach((p, i) => {
      const at = `body.prerequisites.${i}`;
      if (p.flag === flag.key)
        throw new ValidationError(`${at}.flag`, 'a flag cannot be its own prerequisite');
      const other = byKey.get(p.flag);
      if (other === undefined)
        throw new ValidationError(`${at}.flag`, `unknown or archived flag ${JSON.stringify(p.flag)}`);
      if (!other.variants.some((v) => v.key === p.variant)) {
        throw new ValidationError(
          `${at}.variant`,
          `flag ${JSON.stringify(p.flag)} has no variant ${JSON.stringify(p.variant)}`,
        );
      }
    });
    // The evaluator is the judge of the rest (prerequisite cycles, chain depth): compile the
    // environment as it would be and refuse what it would serve as PARSE_ERROR.
    const configs = await this.store.configsForEnvironment(environment.id, tx);
    const flags = active.map((f) =>
      f.id === flag.id
        ? toSnapshotFlag(flag, { ...config, version: 0 })
        : toSnapshotFlag(f, configs.get(f.id) ?? defaultConfig(f.variants, f.kind)),
    );
    const compiled = compileSnapshot({ flags, segments: [] }, { generateCode: false });
    const problem = compiled.flags.get(flag.key)?.problem;
    if (problem !== undefined) throw new ValidationError('body', problem);
  }

  /** A variant another flag requires through a prerequisite cannot be removed. */
  private async checkDependentsKeepVariants(
    project: Project,
    flag: FlagRecord,
    variants: Variant[],
    environments: readonly Environment[],
    tx: Executor,
  ) {
    const remaining = new Set(variants.map((v) => v.key));
    // Environments read before the transaction: a read outside it while it is open waits forever on
    // SQLite's single connection.
    for (const environment of environments) {
      const configs = await this.store.configsForEnvironment(environment.id, tx);
      for (const other of await this.store.listActive(project.id, tx)) {
        const config = configs.get(other.id);
        const missing = config?.prerequisites.find((p) => p.flag === flag.key && !remaining.has(p.variant));
        if (missing !== undefined) {
          throw new StateConflictError(
            `flag ${JSON.stringify(other.key)} requires variant ${JSON.stringify(missing.variant)} of this flag in ${environment.key}`,
            { dependent: other.key },
          );
        }
      }
    }
  }

  /** A flag other active flags depend on cannot be archived. */
  private async checkNotAPrerequisite(
    project: Project,
    flag: FlagRecord,
    environments: Environment[],
    tx: Executor,
  ) {
    for (const environment of environments) {
      const configs = await this.store.configsForEnvironment(environment.id, tx);
      for (const other of await this.store.listActive(project.id, tx)) {
        if (configs.get(other.id)?.prerequisites.some((p) => p.flag === flag.key)) {
          throw new StateConflictError(
            `flag ${JSON.stringify(other.key)} has ${JSON.stringify(flag.key)} as a prerequisite in ${environment.key}: remove it first`,
            { dependent: other.key },
          );
        }
      }
    }
  }

  private async audit(
    tx: Executor,
    actor: Actor,
    action: string,
    project: Project,
    environment: string | null,
    flag: string,
    before: unknown,
    after: unknown,
    at: string,
  ): Promise<void> {
    await this.ctx.audit.append(tx, {
      at,
      actor,
      action,
      resourceType: 'flag',
      resourceKey: flag,
      project: project.key,
      environment,
      flag,
      before,
      after,
    });
  }

  /** Tells the rest of the system about a committed change (called after the transaction resolves). */
  private publish(project: Project, key: string, versions: Map<string, number>): void {
    this.ctx.bus.publish({
      resource: 'flag',
      key,
      projectId: project.id,
      environmentVersions: Object.fromEntries(versions),
    });
  }
}

function dedupe(tags: string[]): string[] {
  return [...new Set(tags)];
}

function definitionOf(flag: FlagRecord) {
  const { id: _id, projectId: _projectId, ...rest } = flag;
  return rest;
}
