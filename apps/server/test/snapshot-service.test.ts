import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InProcessChangeBus } from '../src/change-bus.js';
import type { Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrations.js';
import { bumpEnvironments, type Executor } from '../src/db/store-helpers.js';
import { SqlAuditStore } from '../src/features/audit/sql-audit-store.js';
import { type EnvironmentRef, SnapshotService } from '../src/features/evaluation/snapshot-service.js';
import { SqlFlagStore } from '../src/features/flags/sql-flag-store.js';
import { ProjectService } from '../src/features/projects/project-service.js';
import { SqlProjectStore } from '../src/features/projects/sql-project-store.js';
import { SqlSegmentStore } from '../src/features/segments/sql-segment-store.js';
import { DIALECTS, openTestDatabase } from './harness.js';

/** The flag store, counting snapshot reads and holding them while `hold` is set. */
class HeldFlagStore extends SqlFlagStore {
  reads = 0;
  failNext = false;
  hold: Promise<void> | undefined;

  override async listActive(projectId: string, tx?: Executor) {
    this.reads++;
    await this.hold;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('store unavailable');
    }
    return super.listActive(projectId, tx);
  }
}

describe.each(DIALECTS)('SnapshotService on %s', (dialect) => {
  let database: Database;
  let bus: InProcessChangeBus;
  let flags: HeldFlagStore;
  let snapshots: SnapshotService;
  let project: string;
  let production: EnvironmentRef;
  let staging: EnvironmentRef;
  let tests = 0;

  // One store per dialect (as the other files), and a project of its own per test.
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    await migrateToLatest(database.db as never, dialect);
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    bus = new InProcessChangeBus();
    const ctx = { database, audit: new SqlAuditStore(database.db), bus, clock: () => new Date() };
    const projects = new ProjectService(ctx, new SqlProjectStore(database.db));
    project = `project-${++tests}`;
    await projects.createProject({ key: project }, 'test');
    flags = new HeldFlagStore(database.db);
    const sources = {
      projects: new SqlProjectStore(database.db),
      flags,
      segments: new SqlSegmentStore(database.db),
    };
    snapshots = new SnapshotService(ctx, sources, projects);
    production = await snapshots.resolve(project, 'production');
    staging = await snapshots.resolve(project, 'staging');
  });
  afterEach(() => {
    snapshots.close();
  });

  /** Commits a change of production's snapshot (without announcing it); returns the new version. */
  const commitChange = async () =>
    (await bumpEnvironments(database.db, [production.environmentId])).get(production.environmentId) as number;
  const announce = (version: number, ref = production) =>
    bus.publish({
      resource: 'flag',
      key: 'f',
      projectId: ref.projectId,
      environmentVersions: { [ref.environmentId]: version },
    });
  const until = async (condition: () => boolean) => {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
  };
  /** Holds snapshot reads until the returned function is called. */
  const holdReads = () => {
    let release = () => {};
    flags.hold = new Promise((resolve) => {
      release = resolve;
    });
    return () => {
      flags.hold = undefined;
      release();
    };
  };

  it('builds once, then serves from memory without reading the store', async () => {
    const first = await snapshots.get(production);
    expect(first).toMatchObject({
      environmentKey: 'production',
      projectKey: project,
      version: 1,
      etag: '"1"',
    });
    expect(JSON.parse(first.body)).toEqual({
      environment: 'production',
      version: 1,
      flags: [],
      segments: [],
    });
    expect(await snapshots.get(production)).toBe(first);
    expect(await snapshots.get(production)).toBe(first);
    expect(flags.reads).toBe(1);
  });

  it('shares one build among concurrent requests', async () => {
    const release = holdReads();
    const pending = Array.from({ length: 5 }, () => snapshots.get(production));
    release();
    const built = await Promise.all(pending);
    expect(new Set(built).size).toBe(1);
    expect(flags.reads).toBe(1);
  });

  it('rebuilds after an announced change, and only for the environment that changed', async () => {
    const before = await snapshots.get(production);
    const stagingBefore = await snapshots.get(staging);
    const version = await commitChange();
    announce(version);
    const after = await snapshots.get(production);
    expect(after.version).toBe(version);
    expect(after.version).toBeGreaterThan(before.version);
    expect(await snapshots.get(staging)).toBe(stagingBefore);
    // An announcement of a version already served changes nothing.
    announce(version);
    expect(await snapshots.get(production)).toBe(after);
    expect(flags.reads).toBe(3);
  });

  it('never keeps a build that read the store before a newer version was announced', async () => {
    const release = holdReads();
    const early = snapshots.get(production);
    await until(() => flags.reads === 1);
    // Another replica commits and announces version 2 while this build is reading version 1.
    announce(2);
    const late = snapshots.get(production);
    release();
    expect((await early).version).toBe(1);
    // A request after the announcement did not join the stale build (the store has not caught up yet)...
    expect((await late).version).toBe(1);
    expect(flags.reads).toBe(2);
    // ...and nothing stale is kept as current.
    await snapshots.get(production);
    expect(flags.reads).toBe(3);
    await commitChange();
    const current = await snapshots.get(production);
    expect(current.version).toBe(2);
    expect(await snapshots.get(production)).toBe(current);
    expect(flags.reads).toBe(4);
  });

  // SQLite runs one transaction at a time, so only PostgreSQL can commit while a snapshot is read:
  // the test exists for PostgreSQL only (registered, not skipped).
  const postgresOnly = dialect === 'postgres' ? it : () => {};
  postgresOnly('reads the version and the data it numbers as of one moment', async () => {
    const release = holdReads();
    const early = snapshots.get(production);
    await until(() => flags.reads === 1);
    const at = new Date().toISOString();
    await database.db.transaction().execute(async (tx) => {
      await flags.insert(tx, {
        id: randomUUID(),
        projectId: production.projectId,
        key: 'late-flag',
        name: 'late-flag',
        description: '',
        kind: 'boolean',
        variants: [{ key: 'on', value: true }],
        salt: 'abcdefghijklmno',
        tags: [],
        changeType: 'other',
        archived: false,
        version: 1,
        createdAt: at,
        updatedAt: at,
      });
      await bumpEnvironments(tx, [production.environmentId]);
    });
    release();
    const built = await early;
    expect(built.version).toBe(1);
    expect(built.snapshot.flags).toEqual([]);
    announce(2);
    const next = await snapshots.get(production);
    expect(next.version).toBe(2);
    expect(next.flagKeys).toEqual(['late-flag']);
  });

  it('keeps nothing from a failed build: the next request tries again', async () => {
    flags.failNext = true;
    await expect(snapshots.get(production)).rejects.toThrow('store unavailable');
    expect((await snapshots.get(production)).version).toBe(1);
  });

  it('resolves keys to ids, and refuses unknown ones with 404', async () => {
    expect(production.environmentId).not.toBe(staging.environmentId);
    await expect(snapshots.resolve(project, 'nowhere')).rejects.toThrow(/environment "nowhere" not found/);
    await expect(snapshots.resolve('nowhere', 'production')).rejects.toThrow(/project "nowhere" not found/);
  });
});
