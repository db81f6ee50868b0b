import { type CompiledSnapshot, compileSnapshot, type Segment, type Snapshot } from '@switchboard/core';
import type { Change } from '../../change-bus.js';
import { NotFoundError } from '../../http/errors.js';
import type { ServiceContext } from '../../service-context.js';
import { defaultConfig, toSnapshotFlag } from '../flags/flag-service.js';
import type { FlagStore } from '../flags/flag-store.js';
import type { ProjectService } from '../projects/project-service.js';
import type { ProjectStore } from '../projects/project-store.js';
import type { SegmentRecord, SegmentStore } from '../segments/segment-store.js';

/** Which environment a snapshot is of (ids, as API keys carry them). */
export interface EnvironmentRef {
  projectId: string;
  environmentId: string;
}

/** One environment's snapshot as served: the data, compiled once, serialized once, with its ETag. */
export interface EnvironmentSnapshot extends EnvironmentRef {
  projectKey: string;
  environmentKey: string;
  /** The environment's version read with the data; it increases with every change of the environment. */
  version: number;
  snapshot: Snapshot;
  compiled: CompiledSnapshot;
  /** `snapshot` as JSON. */
  body: string;
  /** `"<version>"`. */
  etag: string;
  /** Every flag of the snapshot, in key order. */
  flagKeys: readonly string[];
}

/** The stores a snapshot is read from. */
export interface SnapshotSources {
  projects: Pick<ProjectStore, 'listEnvironments'>;
  flags: Pick<FlagStore, 'listActive' | 'configsForEnvironment'>;
  segments: Pick<SegmentStore, 'list'>;
}

/**
 * Builds and caches each environment's snapshot. A snapshot is read in one transaction together with
 * its environment's version, compiled, and kept until the change bus announces a newer version of that
 * environment; the next request then rebuilds it. Requests arriving during a build share it, and a build
 * that read the store before a newer version was announced is never kept as current, so a request that
 * starts after a change was announced always sees it.
 */
export class SnapshotService {
  private readonly current = new Map<string, EnvironmentSnapshot>();
  private readonly building = new Map<string, Promise<EnvironmentSnapshot>>();
  /** The highest version announced per environment id. */
  private readonly announced = new Map<string, number>();
  /** Environment refs by `project\nenvironment` keys; keys never change, so only hits are kept. */
  private readonly refs = new Map<string, EnvironmentRef>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly sources: SnapshotSources,
    private readonly projects: ProjectService,
  ) {
    this.unsubscribe = ctx.bus.subscribe((change) => this.onChange(change));
  }

  close(): void {
    this.unsubscribe();
  }

  /** The current snapshot of an environment: from memory, or built (once, however many ask). */
  get(ref: EnvironmentRef): Promise<EnvironmentSnapshot> {
    const cached = this.current.get(ref.environmentId);
    if (cached !== undefined) return Promise.resolve(cached);
    const pending = this.building.get(ref.environmentId);
    return pending ?? this.build(ref);
  }

  /** The ids of an environment named by keys, or 404 naming whichever is missing. */
  async resolve(projectKey: string, environmentKey: string): Promise<EnvironmentRef> {
    const name = `${projectKey}\n${environmentKey}`;
    const known = this.refs.get(name);
    if (known !== undefined) return known;
    const { project, environment } = await this.projects.resolve(projectKey, environmentKey);
    const ref = { projectId: project.id, environmentId: environment.id };
    this.refs.set(name, ref);
    return ref;
  }

  private onChange(change: Change): void {
    if (change.resource === 'project' || change.resource === 'environment') this.refs.clear();
    for (const [environmentId, version] of Object.entries(change.environmentVersions)) {
      if (version > (this.announced.get(environmentId) ?? 0)) this.announced.set(environmentId, version);
      const cached = this.current.get(environmentId);
      if (cached !== undefined && cached.version < version) this.current.delete(environmentId);
      // A build in flight may have read the store before this change: requests from now on start
      // a new one, and the old one will not be kept (see build()).
      this.building.delete(environmentId);
    }
  }

  private build(ref: EnvironmentRef): Promise<EnvironmentSnapshot> {
    const id = ref.environmentId;
    const done = () => {
      if (this.building.get(id) === build) this.building.delete(id);
    };
    const build: Promise<EnvironmentSnapshot> = this.read(ref).then(
      (built) => {
        done();
        const newest = Math.max(this.announced.get(id) ?? 0, this.current.get(id)?.version ?? 0);
        if (built.version >= newest) this.current.set(id, built);
        return built;
      },
      (error: unknown) => {
        done();
        throw error;
      },
    );
    this.building.set(id, build);
    return build;
  }

  private async read({ projectId, environmentId }: EnvironmentRef): Promise<EnvironmentSnapshot> {
    // Project keys never change, so the key can be read outside the transaction.
    const projectKey = (await this.projects.listProjects()).find((p) => p.id === projectId)?.key;
    // Repeatable read (PostgreSQL; SQLite transactions always read one snapshot): the version and the
    // data it numbers are read as of the same moment.
    const { environment, flags, configs, segments } = await this.ctx.database.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (tx) => {
        const environments = await this.sources.projects.listEnvironments(projectId, tx);
        const environment = environments.find((e) => e.id === environmentId);
        const flags = await this.sources.flags.listActive(projectId, tx);
        const configs = await this.sources.flags.configsForEnvironment(environmentId, tx);
        const segments = await this.sources.segments.list(projectId, tx);
        return { environment, flags, configs, segments };
      });
    if (environment === undefined || projectKey === undefined) {
      throw new NotFoundError('environment', environmentId);
    }
    const snapshot: Snapshot = {
      environment: environment.key,
      version: environment.version,
      flags: flags.map((f) => toSnapshotFlag(f, configs.get(f.id) ?? defaultConfig(f.variants, f.kind))),
      segments: segments.map(toSegment),
    };
    const compiled = compileSnapshot(snapshot);
    return {
      projectId,
      environmentId,
      projectKey,
      environmentKey: environment.key,
      version: environment.version,
      snapshot,
      compiled,
      body: JSON.stringify(snapshot),
      etag: `"${environment.version}"`,
      flagKeys: compiled.flagKeys(),
    };
  }
}

/** The evaluator's view of a segment. */
function toSegment(s: SegmentRecord): Segment {
  return {
    key: s.key,
    name: s.name,
    description: s.description,
    included: s.included,
    excluded: s.excluded,
    clauses: s.clauses,
    version: s.version,
  };
}
