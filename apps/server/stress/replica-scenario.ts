import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { createClient, type SwitchboardClient } from '../../../packages/sdk/src/index.js';
import { type ProcessExit, type RunningServer, startServerProcess } from '../test/cli-process.js';
import { EventLedger } from '../test/event-ledger.js';
import { TEST_REDIS_URL } from '../test/harness.js';
import { requestJson, until } from '../test/http-request.js';
import { openProcessStore } from './process-store.js';

/** How big the deployment's test is; the full and the reduced (CI) runs differ only here. */
export interface ReplicaScenarioOptions {
  /** SDK clients whose first URL is each replica (each is given all three URLs). */
  sdksPerReplica: number;
  /** Flag changes made through the replicas in turn, each awaited on every SDK. */
  changes: number;
  /** Changes made through the surviving replicas while one is down. */
  outageChanges: number;
  /** Event batches posted to each replica. */
  batchesPerReplica: number;
  /** Rounds of restarts: in each, one replica is SIGKILLed and another SIGTERMed, each started again. */
  restartRounds: number;
}

/** One replica stopped (SIGKILL or SIGTERM) while SDKs were connected to it. */
export interface RestartFigures {
  signal: 'SIGKILL' | 'SIGTERM';
  /** The replica stopped: the one holding the most SDK streams then. */
  replica: number;
  /** SDKs that were on the stopped replica (its stream count before; the streams that dropped). */
  movedSdks: number;
  /** From the signal to each moved SDK's stream open on another replica. */
  reconnectMs: { median: number; max: number };
  /**
   * From the stopped replica's restart to each of its SDKs moving its stream back to it (its home, the
   * first of its URLs; each SDK asks home's /readyz every {@link HOME_PROBE_MS} or so while away).
   */
  returnedHomeMs: { median: number; max: number };
  /** From the signal to every SDK holding every change made during the outage. */
  allChangesMs: number;
  /** (SDK, flag) pairs whose change made during the outage an SDK never got: must be 0. */
  changesMissed: number;
  /** SIGTERM only: the exit code and how long the replica took to stop. */
  exit?: { code: number | null; ms: number };
}

/** What the scenario saw; every `...Missed`, `disagreements` and `problems` entry must be empty or 0. */
export interface ReplicaFigures {
  replicas: number;
  sdks: number;
  changes: number;
  /** From each change's answer to the last SDK having it. */
  deliveryMs: { median: number; p95: number; max: number };
  /**
   * After each change settled (every SDK at the version all replicas serve, or the run fails), SDK
   * evaluations of the changed flag that disagreed with it: must be 0.
   */
  versionDisagreements: number;
  rollout: {
    /** The plan's timeline, oldest first, before the advance (every scheduler had ticked) and at the end. */
    timelineBeforeAdvance: string[];
    timeline: string[];
    /** The decisions the schedulers took before the advance, folded into one `held` entry. */
    heldRepeats: number;
    stageOnEveryReplica: number[];
  };
  results: { eventsPosted: number; exposuresPerReplica: number[]; identical: boolean };
  restarts: RestartFigures[];
  problems: string[];
}

const DELIVERY_BOUND_MS = 5_000;
/** An SDK whose replica went away: next URL after a jittered delay under 1 s, then a full put. */
const FAILOVER_BOUND_MS = 10_000;
const SHUTDOWN_TIMEOUT_MS = 5_000;
const BOOLEAN_VARIANTS = [
  { key: 'on', value: true },
  { key: 'off', value: false },
];
const FLAGS = ['rep-a', 'rep-b', 'rep-c'];
/** How often SDKs away from home check whether it is back (the SDK's default is 30 s). */
export const HOME_PROBE_MS = 1_000;
/** A restarted replica has every SDK of its own back within this long. */
const RETURN_HOME_BOUND_MS = 10_000;

/** One SDK and what it saw: the flags each change named, and when its stream opened. */
interface Watched {
  client: SwitchboardClient;
  home: number;
  changes: { at: number; keys: string[] }[];
  opened: number[];
  dropped: number[];
  /** When its stream left another replica to go back home. */
  movedHome: number[];
}

/** One sample of a Prometheus metric of a server (0 when absent). */
async function metric(base: string, sample: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
}

/**
 * Three `switchboard start` processes on one PostgreSQL schema and one Redis channel, with SDK clients
 * (packages/sdk) spread over them, each given all three URLs: changes through any replica reach every
 * SDK with the versions agreeing; a rollout plan made on one replica is the same on all, advanced
 * once, with one scheduler acting per tick (one `held` timeline entry however many replicas tick);
 * results read from each replica agree after events posted to all three; and while one replica is
 * SIGKILLed, then another SIGTERMed, and each started again at its address, its SDKs move to another
 * replica and miss no change made meanwhile.
 */
export async function runReplicaScenario(options: ReplicaScenarioOptions): Promise<ReplicaFigures> {
  const store = await openProcessStore('postgres', 'replicas');
  const env = {
    ...store.env,
    REDIS_URL: TEST_REDIS_URL,
    SWITCHBOARD_REDIS_CHANNEL: `switchboard:test:${randomBytes(6).toString('hex')}`,
    // The catch-up that covers any Redis message lost (another suite may restart the shared Redis).
    SWITCHBOARD_VERSION_POLL_MS: '1000',
    SWITCHBOARD_ROLLOUT_INTERVAL_MS: '200',
    SWITCHBOARD_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  };
  const replicas: (RunningServer | undefined)[] = [];
  const sdks: Watched[] = [];
  const figures: ReplicaFigures = {
    replicas: 3,
    sdks: 0,
    changes: 0,
    deliveryMs: { median: 0, p95: 0, max: 0 },
    versionDisagreements: 0,
    rollout: { timelineBeforeAdvance: [], timeline: [], heldRepeats: 0, stageOnEveryReplica: [] },
    results: { eventsPosted: 0, exposuresPerReplica: [], identical: false },
    restarts: [],
    problems: [],
  };
  try {
    // One at a time: the first migrates the fresh schema and creates the admin key.
    const first = await startServerProcess({ dataDir: store.dataDir, env });
    replicas.push(first);
    const adminKey = first.adminKey;
    for (let i = 1; i < 3; i++) replicas.push(await startServerProcess({ env, adminKey }));
    const urls = replicas.map((r) => (r as RunningServer).url);
    const ports = urls.map((u) => Number(new URL(u).port));
    const up = () => replicas.filter((r): r is RunningServer => r !== undefined);
    const admin = (i: number, method: string, path: string, body?: unknown) =>
      requestJson(urls[i] as string, adminKey, method, path, body);

    const key = await admin(0, 'POST', '/api/v1/keys', {
      name: 'sdk',
      kind: 'server',
      environment: 'production',
    });
    const serverKey = key.body.key as string;
    for (const flag of FLAGS) {
      const created = await admin(0, 'POST', '/api/v1/flags', {
        key: flag,
        kind: 'boolean',
        variants: BOOLEAN_VARIANTS,
      });
      if (created.status !== 201) throw new Error(`creating ${flag}: ${created.status}`);
    }

    /** Toggles a flag through replica `through` (reading its version there first). */
    const toggle = async (through: number, flag: string) => {
      const path = `/api/v1/flags/${flag}/environments/production`;
      const current = await admin(through, 'GET', path);
      const changed = await admin(through, 'PATCH', path, {
        version: current.body.version,
        enabled: !current.body.enabled,
      });
      if (changed.status !== 200) throw new Error(`toggling ${flag} through ${through}: ${changed.status}`);
      return changed.body.enabled as boolean;
    };
    /** The environment's version as each replica up serves it to SDKs. */
    const servedVersions = async () =>
      Promise.all(
        up().map(
          async (r) =>
            (await requestJson(r.url, serverKey, 'GET', '/api/v1/sdk/snapshot')).body.version as number,
        ),
      );
    /** Waits for every SDK to hold the replicas' version (the replicas agreeing); returns when. */
    const settled = async (timeoutMs: number, what: string) => {
      let target = -1;
      await until(
        async () => {
          const versions = await servedVersions();
          if (new Set(versions).size !== 1) return false;
          target = versions[0] as number;
          return sdks.every((s) => s.client.state().version === target);
        },
        timeoutMs,
        what,
        10,
      );
      return { at: performance.now(), version: target };
    };

    for (let home = 0; home < 3; home++) {
      for (let n = 0; n < options.sdksPerReplica; n++) {
        const ordered = [0, 1, 2].map((i) => urls[(home + i) % 3] as string);
        const client = createClient({ url: ordered, sdkKey: serverKey, streamHomeProbeMs: HOME_PROBE_MS });
        const watched: Watched = { client, home, changes: [], opened: [], dropped: [], movedHome: [] };
        client.on('change', (keys: string[]) => watched.changes.push({ at: performance.now(), keys }));
        client.on('stream', (e: { connected: boolean; movingHome?: boolean }) => {
          const at = performance.now();
          if (e.connected) watched.opened.push(at);
          else if (e.movingHome === true) watched.movedHome.push(at);
          else watched.dropped.push(at);
        });
        sdks.push(watched);
      }
    }
    figures.sdks = sdks.length;
    await Promise.all(sdks.map((s) => s.client.ready({ timeoutMs: 20_000 })));
    await until(() => sdks.every((s) => s.opened.length > 0), 20_000, 'every SDK stream open');

    // Changes through each replica in turn reach every SDK, the versions agreeing.
    const delivery: number[] = [];
    for (let c = 0; c < options.changes; c++) {
      const flag = FLAGS[c % FLAGS.length] as string;
      const enabled = await toggle(c % 3, flag);
      const answeredAt = performance.now();
      const { at } = await settled(DELIVERY_BOUND_MS, `change ${c} on every SDK`);
      delivery.push(at - answeredAt);
      for (const s of sdks) {
        if ((s.client.evaluate(flag).reason === 'DISABLED') === enabled) figures.versionDisagreements += 1;
      }
    }
    figures.changes = options.changes;
    figures.deliveryMs = {
      median: quantile(delivery, 0.5),
      p95: quantile(delivery, 0.95),
      max: quantile(delivery, 1),
    };

    // A rollout plan made on one replica: the same on all, ticked by all three schedulers, advanced once.
    const model = await admin(1, 'POST', '/api/v1/flags', {
      key: 'rep-model',
      kind: 'ai-config',
      changeType: 'prompt',
      variants: [
        { key: 'control', value: { provider: 'openai', model: 'gpt-4o' } },
        { key: 'candidate', value: { provider: 'openai', model: 'gpt-4o-mini' } },
      ],
    });
    if (model.status !== 201) throw new Error(`creating rep-model: ${model.status}`);
    await admin(1, 'PATCH', '/api/v1/flags/rep-model/environments/production', {
      version: 0,
      enabled: true,
      fallthrough: { variant: 'control' },
    });
    const planPath = '/api/v1/flags/rep-model/environments/production/rollout';
    const plan = await admin(2, 'POST', planPath, {
      candidate: 'candidate',
      stages: [
        { kind: 'percentage', percent: 10, minDurationMs: 3_600_000, minUnitsPerArm: 100 },
        { kind: 'percentage', percent: 50, minDurationMs: 3_600_000, minUnitsPerArm: 100 },
        { kind: 'percentage', percent: 100, minDurationMs: 0, minUnitsPerArm: 100 },
      ],
    });
    if (plan.status !== 201)
      throw new Error(`creating the plan: ${plan.status} ${JSON.stringify(plan.body)}`);
    // Long enough for every replica's scheduler to tick several times.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const ticked = (await admin(0, 'GET', `${planPath}/timeline`)).body.items as {
      action: string;
      repeats?: number;
    }[];
    figures.rollout.timelineBeforeAdvance = ticked.map((e) => e.action);
    figures.rollout.heldRepeats = ticked
      .filter((e) => e.action === 'held')
      .reduce((n, e) => n + (e.repeats ?? 1), 0);
    const advanced = await admin(0, 'POST', `${planPath}/advance`, { reason: 'checked by hand' });
    if (advanced.status !== 200) throw new Error(`advancing: ${advanced.status}`);
    await settled(DELIVERY_BOUND_MS, 'the advanced stage on every SDK');
    const plans = await Promise.all([0, 1, 2].map((i) => admin(i, 'GET', planPath)));
    figures.rollout.stageOnEveryReplica = plans.map((p) => p.body.stageIndex as number);
    if (new Set(plans.map((p) => `${p.body.id}:${p.body.stageIndex}:${p.body.status}`)).size !== 1) {
      figures.problems.push(`the replicas disagree on the plan: ${JSON.stringify(plans.map((p) => p.body))}`);
    }
    const timeline = await admin(1, 'GET', `${planPath}/timeline`);
    figures.rollout.timeline = (timeline.body.items as { action: string }[]).map((e) => e.action);
    const splits = sdks.map((s) => s.client.evaluate('rep-model', { targetingKey: 'u-1' }).reason);
    if (splits.some((reason) => reason !== 'SPLIT')) {
      figures.problems.push(
        `SDKs serving rep-model otherwise than by split: ${[...new Set(splits)].join(', ')}`,
      );
    }

    // Events posted to each replica: the results read from each agree.
    const ledger = new EventLedger(serverKey, FLAGS[0] as string);
    for (let b = 0; b < options.batchesPerReplica; b++) {
      for (let i = 0; i < 3; i++) {
        if (!(await ledger.send(urls[i] as string, 100)))
          throw new Error('an event batch was not acknowledged');
      }
    }
    figures.results.eventsPosted = ledger.acknowledged().events;
    const results = await Promise.all(
      [0, 1, 2].map((i) => admin(i, 'GET', `/api/v1/flags/${FLAGS[0]}/results?env=production`)),
    );
    figures.results.exposuresPerReplica = results.map((r) =>
      (r.body.variants as { exposures: number }[]).reduce((n, v) => n + v.exposures, 0),
    );
    figures.results.identical = new Set(results.map((r) => JSON.stringify(r.body.variants))).size === 1;

    // One replica stops while SDKs are on it (the one holding the most streams); changes go on through
    // the others; it comes back at its address.
    const stops = Array.from({ length: options.restartRounds }, () => ['SIGKILL', 'SIGTERM'] as const).flat();
    for (const signal of stops) {
      const streams = await Promise.all(
        urls.map((url) => metric(url as string, 'switchboard_sdk_streams{kind="server"}')),
      );
      const victim = streams.indexOf(Math.max(...streams));
      const server = replicas[victim] as RunningServer;
      const stoppedAt = performance.now();
      let exit: ProcessExit | undefined;
      if (signal === 'SIGKILL') await server.kill();
      else exit = await server.terminate();
      replicas[victim] = undefined;
      const survivors = [0, 1, 2].filter((i) => i !== victim);
      const changed = new Set<string>();
      for (let c = 0; c < options.outageChanges; c++) {
        const flag = FLAGS[c % FLAGS.length] as string;
        await toggle(survivors[c % survivors.length] as number, flag);
        changed.add(flag);
      }
      const { at } = await settled(FAILOVER_BOUND_MS, `every SDK after the ${signal}`);
      // The SDKs whose stream dropped: exactly the ones the stopped replica held.
      const moved = sdks.filter((s) => s.dropped.some((t) => t > stoppedAt));
      const reconnects = moved.map((s) => (s.opened.find((t) => t > stoppedAt) ?? Number.NaN) - stoppedAt);
      if (moved.length !== streams[victim] || moved.length === 0) {
        figures.problems.push(
          `${signal}: replica ${victim} held ${streams[victim]} streams, ${moved.length} dropped`,
        );
      }
      let missed = 0;
      for (const s of sdks) {
        const seen = new Set(s.changes.filter((c) => c.at > stoppedAt).flatMap((c) => c.keys));
        for (const flag of changed) if (!seen.has(flag)) missed += 1;
      }
      if (reconnects.some(Number.isNaN))
        figures.problems.push(`${signal}: an SDK of replica ${victim} never reconnected`);
      figures.restarts.push({
        signal,
        replica: victim,
        movedSdks: moved.length,
        reconnectMs: { median: quantile(reconnects, 0.5), max: quantile(reconnects, 1) },
        returnedHomeMs: { median: Number.NaN, max: Number.NaN },
        allChangesMs: Math.round(at - stoppedAt),
        changesMissed: missed,
        ...(exit === undefined ? {} : { exit: { code: exit.code, ms: Math.round(exit.ms) } }),
      });
      // Back at its address: it serves the same version, its SDKs come home, and a change through it
      // reaches every SDK.
      replicas[victim] = await startServerProcess({ env, adminKey, port: ports[victim] as number });
      const restartedAt = performance.now();
      await settled(DELIVERY_BOUND_MS, `the restarted replica ${victim} in step`);
      const homeSdks = sdks.filter((s) => s.home === victim);
      await until(
        () => homeSdks.every((s) => s.movedHome.some((t) => t > restartedAt)),
        RETURN_HOME_BOUND_MS,
        `the SDKs of replica ${victim} back home`,
      );
      const returned = homeSdks.map(
        (s) => (s.movedHome.find((t) => t > restartedAt) as number) - restartedAt,
      );
      const restart = figures.restarts.at(-1) as RestartFigures;
      restart.returnedHomeMs = { median: quantile(returned, 0.5), max: quantile(returned, 1) };
      await toggle(victim, FLAGS[0] as string);
      await settled(DELIVERY_BOUND_MS, `a change through the restarted replica ${victim}`);
    }
    figures.problems.push(
      ...(figures.versionDisagreements > 0
        ? [`${figures.versionDisagreements} SDK evaluations disagreed`]
        : []),
    );
    return figures;
  } finally {
    await Promise.all(sdks.map((s) => s.client.close()));
    await Promise.all(replicas.map((r) => r?.stop()));
    await store.drop();
  }
}

/**
 * The plan's timeline shows the schedulers of three replicas acting as one: before the advance, one
 * `held` entry (the same cause repeated, never the same decision taken twice side by side), then the
 * one advance, then at most one `held` for the new stage.
 */
export function expectOneSchedulerActed(figures: ReplicaFigures): void {
  expect(figures.rollout.timelineBeforeAdvance).toEqual(['created', 'held']);
  expect(figures.rollout.heldRepeats).toBeGreaterThan(0);
  expect(figures.rollout.timeline.slice(0, 3)).toEqual(['created', 'held', 'advanced']);
  expect(figures.rollout.timeline.slice(3).every((action) => action === 'held')).toBe(true);
  expect(figures.rollout.timeline.length).toBeLessThanOrEqual(4);
}
