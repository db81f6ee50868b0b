/**
 * Many SDK streams on one server process (embedded store): how much memory each costs, whether every
 * one gets its heartbeats on time, and how long a flag change takes to reach all of them. The bulk are
 * raw SSE streams in helper processes (sse-stream-helper.ts); a few real SDK clients (the propagation
 * benchmark's helpers) time the same changes end to end, SDK included.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Helper as SdkHelper, startHelpers } from '../../../bench/propagation/helper-pool.js';
import { percentile } from '../../../bench/propagation/propagation-summary.js';
import { sharedNow } from '../../../bench/propagation/shared-clock.js';
import { streamCount } from '../../../bench/server/switchboard-process.js';
import { type RunningServer, startServerProcess } from '../test/cli-process.js';
import { IpcChild } from './ipc-child.js';
import { mb, serverMemory } from './server-probe.js';
import type { FromSseHelper, ToSseHelper } from './sse-stream-protocol.js';

const SSE_HELPER = fileURLToPath(new URL('./sse-stream-helper.ts', import.meta.url));
const FLAG = 'stress-kill';
/** Descriptors a server needs besides its streams (store, listeners, libraries), with room to spare. */
const SPARE_FILE_DESCRIPTORS = 1_024;
const READY_TIMEOUT_MS = 180_000;
const IPC_TIMEOUT_MS = 30_000;

/** The size of one run. */
export interface StreamsScenarioOptions {
  /** Raw SSE streams. */
  streams: number;
  /** Processes the raw streams are spread over. */
  helpers: number;
  /** Real SDK clients, in one helper process of the propagation benchmark. */
  sdkClients: number;
  /** The server's heartbeat interval for the run (SWITCHBOARD_HEARTBEAT_MS). */
  heartbeatMs: number;
  /** Heartbeat periods watched. */
  heartbeatPeriods: number;
  /** Flag changes timed (alternately disable, enable). */
  changes: number;
  /** A stream that has not seen a change this long after the call counts as missed. */
  missAfterMs: number;
  /** Pause before each memory reading, so the garbage of the attach bursts can be collected. */
  settleMs: number;
  log: (line: string) => void;
}

/** What one run measured. */
export interface StreamsScenarioResult {
  streams: number;
  sdkClients: number;
  fileDescriptorLimit: number;
  /** What a deployment needs for `streams` streams: `ulimit -n` at least this. */
  fileDescriptorsNeeded: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  rssPerStreamKb: number;
  heapPerStreamKb: number;
  heartbeatMs: number;
  heartbeatWindowMs: number;
  /** Fewest heartbeats any stream got in the window, and the most expected. */
  heartbeatsMin: number;
  heartbeatsExpected: number;
  /** The longest any stream went without an event in the window. */
  maxSilenceMs: number;
  /** Streams whose silence exceeded 1.5 heartbeat periods. */
  lateStreams: number;
  droppedStreams: number;
  changes: number;
  /** Stream × change pairs not seen within missAfterMs. */
  missed: number;
  propagationP50Ms: number;
  propagationP99Ms: number;
  propagationMaxMs: number;
  sdkPropagationP50Ms: number;
  sdkPropagationP99Ms: number;
  sdkPropagationMaxMs: number;
}

type SseHelper = IpcChild<FromSseHelper, ToSseHelper>;

const round = (value: number) => Math.round(value * 100) / 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The open-file limit child processes of this test get (`ulimit -n`). */
function fileDescriptorLimit(): number {
  return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
}

async function prepare(server: RunningServer): Promise<string> {
  const variants = [
    { key: 'on', value: true },
    { key: 'off', value: false },
  ];
  await server.api('POST', '/api/v1/flags', { key: FLAG, kind: 'boolean', variants });
  // Enabled first, so the first timed change (a disable) is a change for every client.
  await setEnabled(server, true, await flagVersion(server));
  const key = await server.api('POST', '/api/v1/keys', {
    name: 'stress streams',
    kind: 'server',
    environment: 'production',
  });
  if (typeof key.key !== 'string') throw new Error(`no server key: ${JSON.stringify(key)}`);
  return key.key;
}

const FLAG_PATH = `/api/v1/flags/${FLAG}/environments/production`;

async function flagVersion(server: RunningServer): Promise<number> {
  const view = await server.api('GET', FLAG_PATH);
  if (typeof view.version !== 'number') throw new Error(`no version: ${JSON.stringify(view)}`);
  return view.version;
}

async function setEnabled(server: RunningServer, enabled: boolean, version: number): Promise<void> {
  const answer = await server.api('POST', `${FLAG_PATH}/${enabled ? 'enable' : 'disable'}`, { version });
  if (typeof answer.version !== 'number') throw new Error(`the change failed: ${JSON.stringify(answer)}`);
}

/** Runs the scenario on a fresh server process; everything it starts is stopped before it returns. */
export async function runStreamsScenario(options: StreamsScenarioOptions): Promise<StreamsScenarioResult> {
  const { log } = options;
  const fileDescriptorsNeeded = options.streams + options.sdkClients + SPARE_FILE_DESCRIPTORS;
  const limit = fileDescriptorLimit();
  if (limit < fileDescriptorsNeeded)
    throw new Error(
      `ulimit -n is ${limit}: ${options.streams} streams need at least ${fileDescriptorsNeeded}`,
    );
  const server = await startServerProcess({ env: { SWITCHBOARD_HEARTBEAT_MS: String(options.heartbeatMs) } });
  const sseHelpers: SseHelper[] = [];
  let sdkHelpers: SdkHelper[] = [];
  try {
    const sdkKey = await prepare(server);
    await sleep(options.settleMs);
    const before = await serverMemory(server.url);
    for (let i = 0; i < options.helpers; i++) {
      const share =
        Math.floor(options.streams / options.helpers) + (i < options.streams % options.helpers ? 1 : 0);
      sseHelpers.push(new IpcChild(SSE_HELPER, { url: server.url, sdkKey, streams: share, openBatch: 250 }));
    }
    sdkHelpers = startHelpers(
      { urls: [server.url], sdkKey, flagKey: FLAG, clients: options.sdkClients },
      1,
      '0,1',
    );
    const opening = Date.now();
    await Promise.all([
      ...sseHelpers.map((h) => h.next('ready', READY_TIMEOUT_MS)),
      ...sdkHelpers.map((h) => h.next('ready', READY_TIMEOUT_MS)),
    ]);
    const held = await streamCount(server.url);
    log(`  ${held} streams held after ${Date.now() - opening} ms`);
    if (held < options.streams + options.sdkClients)
      throw new Error(`the server holds ${held} streams, not ${options.streams + options.sdkClients}`);
    await sleep(options.settleMs);
    const after = await serverMemory(server.url);

    const heartbeat = await watchHeartbeats(sseHelpers, options);
    const propagation = await timeChanges(server, sseHelpers, sdkHelpers, options);
    const perStream = (bytes: number) => round(bytes / (options.streams + options.sdkClients) / 1024);
    return {
      streams: options.streams,
      sdkClients: options.sdkClients,
      fileDescriptorLimit: limit,
      fileDescriptorsNeeded,
      rssBeforeMb: mb(before.rssBytes),
      rssAfterMb: mb(after.rssBytes),
      heapBeforeMb: mb(before.heapUsedBytes),
      heapAfterMb: mb(after.heapUsedBytes),
      rssPerStreamKb: perStream(after.rssBytes - before.rssBytes),
      heapPerStreamKb: perStream(after.heapUsedBytes - before.heapUsedBytes),
      heartbeatMs: options.heartbeatMs,
      ...heartbeat,
      changes: options.changes,
      ...propagation,
    };
  } finally {
    await Promise.all([...sseHelpers.map((h) => h.stop()), ...sdkHelpers.map((h) => h.stop())]);
    await server.stop();
  }
}

async function watchHeartbeats(helpers: SseHelper[], options: StreamsScenarioOptions) {
  for (const helper of helpers) helper.send({ type: 'mark' });
  const heartbeatWindowMs = options.heartbeatMs * options.heartbeatPeriods;
  await sleep(heartbeatWindowMs);
  for (const helper of helpers) helper.send({ type: 'heartbeats' });
  const reports = await Promise.all(helpers.map((h) => h.next('heartbeats', IPC_TIMEOUT_MS)));
  const counts = reports.flatMap((r) => r.counts);
  const silences = reports.flatMap((r) => r.maxSilenceMs);
  const maxSilenceMs = round(Math.max(...silences));
  options.log(
    `  heartbeats over ${heartbeatWindowMs} ms: min ${Math.min(...counts)}, longest silence ${maxSilenceMs} ms`,
  );
  return {
    heartbeatWindowMs,
    heartbeatsMin: Math.min(...counts),
    heartbeatsExpected: options.heartbeatPeriods,
    maxSilenceMs,
    lateStreams: silences.filter((s) => s > options.heartbeatMs * 1.5).length,
    droppedStreams: reports.reduce((sum, r) => sum + r.dropped, 0),
  };
}

async function timeChanges(
  server: RunningServer,
  sseHelpers: SseHelper[],
  sdkHelpers: SdkHelper[],
  options: StreamsScenarioOptions,
) {
  const latencies: number[] = [];
  const sdkLatencies: number[] = [];
  let missed = 0;
  for (let change = 0; change < options.changes; change++) {
    const disable = change % 2 === 0;
    const version = await flagVersion(server);
    for (const helper of sseHelpers) helper.send({ type: 'arm' });
    for (const helper of sdkHelpers) helper.send({ type: 'arm', toggle: change, killed: disable });
    await Promise.all([
      ...sseHelpers.map((h) => h.next('armed', IPC_TIMEOUT_MS)),
      ...sdkHelpers.map((h) => h.next('armed', IPC_TIMEOUT_MS)),
    ]);
    const startedAt = sharedNow();
    await setEnabled(server, !disable, version);
    await Promise.all(sdkHelpers.map((h) => h.next('complete', options.missAfterMs).catch(() => undefined)));
    const seen = await collectUntilSeen(sseHelpers, startedAt + options.missAfterMs);
    for (const at of seen) {
      if (at === null) missed++;
      else latencies.push(at - startedAt);
    }
    for (const helper of sdkHelpers) helper.send({ type: 'collect', toggle: change });
    for (const { at } of await Promise.all(sdkHelpers.map((h) => h.next('times', IPC_TIMEOUT_MS)))) {
      for (const time of at) {
        if (time === null) missed++;
        else sdkLatencies.push(time - startedAt);
      }
    }
  }
  const figures = {
    missed,
    propagationP50Ms: round(percentile(latencies, 0.5)),
    propagationP99Ms: round(percentile(latencies, 0.99)),
    propagationMaxMs: round(Math.max(...latencies)),
    sdkPropagationP50Ms: round(percentile(sdkLatencies, 0.5)),
    sdkPropagationP99Ms: round(percentile(sdkLatencies, 0.99)),
    sdkPropagationMaxMs: round(Math.max(...sdkLatencies)),
  };
  options.log(
    `  propagation to ${options.streams} streams: p50 ${figures.propagationP50Ms} ms, p99 ${figures.propagationP99Ms} ms, max ${figures.propagationMaxMs} ms; missed ${missed}`,
  );
  return figures;
}

/** Every stream's time of the armed change, asking again until all saw it or the deadline passed. */
async function collectUntilSeen(helpers: SseHelper[], deadline: number): Promise<(number | null)[]> {
  for (;;) {
    for (const helper of helpers) helper.send({ type: 'collect' });
    const times = (await Promise.all(helpers.map((h) => h.next('times', IPC_TIMEOUT_MS)))).flatMap(
      (t) => t.at,
    );
    if (!times.includes(null) || sharedNow() > deadline) return times;
    await sleep(50);
  }
}
