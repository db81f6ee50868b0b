import { afterEach, describe, expect, it } from 'vitest';
import { type Change, InProcessChangeBus, type ReplicaLog } from '../src/change-bus.js';
import { type EnvironmentVersion, EnvironmentVersionWatcher } from '../src/environment-version-watcher.js';

/** A store whose versions the test sets, counting the reads. */
function fakeStore(initial: Record<string, number>) {
  const versions = new Map(Object.entries(initial));
  let reads = 0;
  let failNext = false;
  let gate: Promise<void> | undefined;
  return {
    set(id: string, version: number) {
      versions.set(id, version);
    },
    failNext() {
      failNext = true;
    },
    /** Holds reads until the returned function is called. */
    hold(): () => void {
      let release: () => void = () => {};
      gate = new Promise((resolve) => {
        release = resolve;
      });
      return () => {
        gate = undefined;
        release();
      };
    },
    reads: () => reads,
    async listVersions(): Promise<EnvironmentVersion[]> {
      reads++;
      // What a query sees is what was committed when it started.
      const seen = [...versions];
      await gate;
      if (failNext) {
        failNext = false;
        throw new Error('connection refused');
      }
      return seen.map(([id, version]) => ({ id, projectId: 'p1', key: `env-${id}`, version }));
    },
  };
}

const watchers: EnvironmentVersionWatcher[] = [];

function setup(initial: Record<string, number>, pollMs = 0, graceMs = 0) {
  const bus = new InProcessChangeBus();
  const store = fakeStore(initial);
  const announced: Change[] = [];
  const missed: Array<[string, number]> = [];
  const warnings: string[] = [];
  const log: ReplicaLog = { info: () => {}, warn: (_d, message) => warnings.push(message) };
  const watcher = new EnvironmentVersionWatcher(bus, {
    listVersions: () => store.listVersions(),
    pollMs,
    graceMs,
    log,
    onMissed: (trigger, count) => missed.push([trigger, count]),
  });
  watchers.push(watcher);
  bus.subscribe((c) => announced.push(c));
  return { bus, store, watcher, announced, missed, warnings };
}

afterEach(async () => {
  await Promise.all(watchers.splice(0).map((w) => w.close()));
});

describe('EnvironmentVersionWatcher', () => {
  it('starts from the versions in the store without announcing them', async () => {
    const { watcher, announced } = setup({ e1: 3, e2: 7 });
    await watcher.start();
    expect(watcher.knownVersion('e1')).toBe(3);
    expect(announced).toEqual([]);
    expect(await watcher.catchUp('poll')).toBe(0);
    expect(announced).toEqual([]);
  });

  it('announces locally each version it was not told of, once, and counts them', async () => {
    const { watcher, store, announced, missed } = setup({ e1: 3, e2: 7 });
    await watcher.start();
    store.set('e1', 5);
    store.set('e3', 1);
    expect(await watcher.catchUp('reconnect')).toBe(2);
    expect(announced).toEqual([
      { resource: 'environment', key: 'env-e1', projectId: 'p1', environmentVersions: { e1: 5 } },
      { resource: 'environment', key: 'env-e3', projectId: 'p1', environmentVersions: { e3: 1 } },
    ]);
    expect(missed).toEqual([['reconnect', 2]]);
    expect(await watcher.catchUp('poll')).toBe(0);
    expect(announced).toHaveLength(2);
  });

  it('does not announce what the bus already told it', async () => {
    const { bus, watcher, store, announced } = setup({ e1: 3 });
    await watcher.start();
    store.set('e1', 4);
    bus.publish({ resource: 'flag', key: 'f', projectId: 'p1', environmentVersions: { e1: 4 } });
    expect(await watcher.catchUp('poll')).toBe(0);
    expect(announced).toHaveLength(1);
  });

  it('leaves a version the bus brings within the grace period to the bus', async () => {
    const { bus, watcher, store, announced, missed } = setup({ e1: 3 }, 0, 50);
    await watcher.start();
    // Committed, and its publish on the way: the read sees it before the bus does.
    store.set('e1', 4);
    const checking = watcher.catchUp('poll');
    setTimeout(() => {
      bus.publish({ resource: 'flag', key: 'f', projectId: 'p1', environmentVersions: { e1: 4 } });
    }, 10);
    expect(await checking).toBe(0);
    expect(announced.map((c) => c.resource)).toEqual(['flag']);
    expect(missed).toEqual([]);
    // Never brought: announced once the grace period is over.
    store.set('e1', 5);
    expect(await watcher.catchUp('poll')).toBe(1);
  });

  it('survives a failed read: logs it, resolves 0, and catches up on the next', async () => {
    const { watcher, store, warnings } = setup({ e1: 3 });
    await watcher.start();
    store.set('e1', 4);
    store.failNext();
    expect(await watcher.catchUp('poll')).toBe(0);
    expect(warnings).toEqual(['reading environment versions failed']);
    expect(await watcher.catchUp('poll')).toBe(1);
  });

  it('polls on its own', async () => {
    const { watcher, store, announced } = setup({ e1: 3 }, 20);
    await watcher.start();
    store.set('e1', 9);
    const started = Date.now();
    while (announced.length === 0 && Date.now() - started < 2_000) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(announced).toEqual([
      { resource: 'environment', key: 'env-e1', projectId: 'p1', environmentVersions: { e1: 9 } },
    ]);
  });

  it('never piles polls up behind a slow store, but a reconnection always gets a read of its own', async () => {
    const { watcher, store, announced } = setup({ e1: 3 });
    await watcher.start();
    const release = store.hold();
    const first = watcher.catchUp('poll');
    const polls = [watcher.catchUp('poll'), watcher.catchUp('poll')];
    const reconnect = watcher.catchUp('reconnect');
    await Promise.resolve();
    // Committed while the first read is held: only a read that starts after it can see it.
    store.set('e1', 4);
    release();
    await Promise.all([first, ...polls]);
    expect(await reconnect).toBe(1);
    expect(store.reads()).toBe(1 + 2);
    expect(announced).toHaveLength(1);
  });
});
