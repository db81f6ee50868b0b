import type { Dialect } from '../src/db/database.js';
import { type RunningServer, startServerProcess } from '../test/cli-process.js';
import { EventLedger } from '../test/event-ledger.js';
import { requestJson } from '../test/http-request.js';
import { seeded } from '../test/rollout-fixtures.js';
import { FlagWriteLedger } from './flag-write-ledger.js';
import { openProcessStore } from './process-store.js';

/** How hard and how often to crash the server; the full and the reduced (CI) runs differ only here. */
export interface CrashScenarioOptions {
  dialect: Dialect;
  /** SIGKILLs in a row, each followed by a restart on the same store and the checks. */
  kills: number;
  /** Each kill comes at a random moment in [min, max) ms after the load started. */
  killAfterMs: readonly [number, number];
  /** Concurrent flag writers and event senders. */
  flagWriters: number;
  eventSenders: number;
  /** Events per batch (the SDK sends up to its flush size). */
  batchEvents: number;
  /** The same seed, the same writes and kill moments (the process's timing still varies). */
  seed: number;
}

/** What the kills did, summed over the runs; `lost`, `duplicateBatches` and `halfApplied` must be 0. */
export interface CrashFigures {
  dialect: Dialect;
  runs: number;
  acknowledgedWrites: number;
  unacknowledgedWrites: number;
  acknowledgedBatches: number;
  acknowledgedEvents: number;
  /** Batches sent again after the restart (their answer was lost), and of those the ones already stored. */
  resentBatches: number;
  resentAlreadyStored: number;
  lost: number;
  duplicateBatches: number;
  halfApplied: number;
  /** Batches stored in part, and stored events the rollups do not count the same: must be 0. */
  partialBatches: number;
  rollupMismatches: number;
  /** Every problem found, named (empty when all held). */
  problems: string[];
  restartMs: { median: number; max: number };
}

const BOOLEAN_VARIANTS = [
  { key: 'on', value: true },
  { key: 'off', value: false },
];

/**
 * Crash safety: a `switchboard start` process under concurrent flag writes and event batches is
 * SIGKILLed at a random moment, started again on the same store, and checked — every acknowledged
 * write is there with its audit entry, no change is half applied, and re-sending every batch whose
 * answer was lost (the SDK's retry, same Idempotency-Key) stores each batch exactly once, in the raw
 * events and in the rollups. `kills` times in a row, on one store.
 */
export async function runCrashScenario(options: CrashScenarioOptions): Promise<CrashFigures> {
  const random = seeded(options.seed);
  const store = await openProcessStore(options.dialect, `crash-${options.dialect}`);
  const figures: CrashFigures = {
    dialect: options.dialect,
    runs: 0,
    acknowledgedWrites: 0,
    unacknowledgedWrites: 0,
    acknowledgedBatches: 0,
    acknowledgedEvents: 0,
    resentBatches: 0,
    resentAlreadyStored: 0,
    lost: 0,
    duplicateBatches: 0,
    halfApplied: 0,
    partialBatches: 0,
    rollupMismatches: 0,
    problems: [],
    restartMs: { median: 0, max: 0 },
  };
  const restarts: number[] = [];
  let server: RunningServer | undefined;
  try {
    server = await startServerProcess({ dataDir: store.dataDir, env: store.env });
    const adminKey = server.adminKey;
    const key = await requestJson(server.url, adminKey, 'POST', '/api/v1/keys', {
      name: 'sdk',
      kind: 'server',
      environment: 'production',
    });
    if (key.status !== 201) throw new Error(`creating the server key: ${key.status}`);
    const serverKey = key.body.key as string;

    for (let run = 0; run < options.kills; run++) {
      const base = server.url;
      // Each run's events go to a flag of their own, so that each run's checks read only its batches.
      const eventFlag = `crash-events-${run}`;
      const created = await requestJson(base, adminKey, 'POST', '/api/v1/flags', {
        key: eventFlag,
        kind: 'boolean',
        variants: BOOLEAN_VARIANTS,
      });
      if (created.status !== 201) throw new Error(`creating ${eventFlag}: ${created.status}`);
      const events = new EventLedger(serverKey, eventFlag);
      const flags = new FlagWriteLedger(adminKey, `crash-${run}`, random);

      let running = true;
      const load = [
        ...Array.from({ length: options.flagWriters }, (_, i) => flags.writer(base, i, () => running)),
        ...Array.from({ length: options.eventSenders }, async () => {
          while (running && (await events.send(base, options.batchEvents))) {}
        }),
      ];
      const [min, max] = options.killAfterMs;
      await new Promise((resolve) => setTimeout(resolve, min + random() * (max - min)));
      await server.kill();
      running = false;
      // Every writer and sender stops at its first request without an answer.
      await Promise.all(load);

      const startedAt = performance.now();
      server = await startServerProcess({ dataDir: store.dataDir, env: store.env, adminKey });
      restarts.push(performance.now() - startedAt);
      const restarted = server.url;

      const flagCheck = await flags.check(restarted);
      const before = await events.check(restarted, adminKey);
      const acknowledged = events.acknowledged();
      const resent = await events.resendUnacknowledged(restarted);
      const after = await events.check(restarted, adminKey);
      const all = events.batches.reduce((n, b) => n + b.events.length, 0);

      figures.runs += 1;
      figures.acknowledgedWrites += flagCheck.acknowledgedWrites;
      figures.unacknowledgedWrites += flagCheck.unacknowledgedWrites;
      figures.acknowledgedBatches += acknowledged.batches;
      figures.acknowledgedEvents += acknowledged.events;
      figures.resentBatches += resent.resent;
      figures.resentAlreadyStored += resent.replays;
      figures.lost += flagCheck.lost.length + before.lostAcknowledged.length + after.lostAcknowledged.length;
      figures.halfApplied += flagCheck.halfApplied.length;
      figures.duplicateBatches += after.duplicated.length + before.duplicated.length;
      figures.partialBatches += before.partial.length + after.partial.length;
      const mismatched = after.storedEvents !== all || after.rolledUpExposures !== after.storedEvents;
      if (mismatched) figures.rollupMismatches += 1;
      const named = (what: string, list: string[]) => list.map((item) => `run ${run}: ${what}: ${item}`);
      figures.problems.push(
        ...named('lost', flagCheck.lost),
        ...named('half applied', flagCheck.halfApplied),
        ...named('acknowledged batch lost', [...before.lostAcknowledged, ...after.lostAcknowledged]),
        ...named('duplicated batch', [...before.duplicated, ...after.duplicated]),
        ...named('partial batch', [...before.partial, ...after.partial]),
        ...(mismatched
          ? [
              `run ${run}: ${all} events sent, ${after.storedEvents} stored, ${after.rolledUpExposures} rolled up`,
            ]
          : []),
        // The replays answered as such must be exactly the unacknowledged batches that had committed.
        ...(resent.replays === before.storedUnacknowledged
          ? []
          : [`run ${run}: ${resent.replays} replays, ${before.storedUnacknowledged} stored unacknowledged`]),
      );
    }
  } finally {
    await server?.stop();
    await store.drop();
  }
  const sorted = [...restarts].sort((a, b) => a - b);
  figures.restartMs = {
    median: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
    max: Math.round(sorted[sorted.length - 1] ?? 0),
  };
  return figures;
}
