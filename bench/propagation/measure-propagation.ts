/**
 * One configuration of the propagation benchmark: N SDK clients spread over helper processes and over
 * the given replicas; the kill switch toggled through the first replica's admin API, alternately
 * disable and enable; for every toggle and every client, the time from just before the HTTP call to
 * that client's `change` event, on the shared clock.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { streamCount } from '../server/switchboard-process.js';
import { type Helper, startHelpers } from './helper-pool.js';
import { type ClockOffset, clockOffset, sharedNow } from './shared-clock.js';

const READY_TIMEOUT_MS = 180_000;
const STREAMS_TIMEOUT_MS = 60_000;
const IPC_TIMEOUT_MS = 10_000;

export interface MeasureOptions {
  /** Base URLs of the replicas; toggles go through the first. */
  urls: string[];
  admin: Record<string, string>;
  sdkKey: string;
  flagKey: string;
  environment: string;
  clients: number;
  helpers: number;
  /** The cores the helpers run on (a taskset list). */
  clientCores: string;
  /** Measured toggles, after `warmup` unmeasured ones. */
  toggles: number;
  warmup: number;
  /** A client that has not seen a toggle this long after the call counts as missed. */
  missAfterMs: number;
  /** Quiet time between toggles. */
  pauseMs: number;
  log: (line: string) => void;
}

export interface PropagationResult {
  /** Every (toggle, client) latency seen, in ms. */
  latenciesMs: number[];
  /** The same during the warm-up toggles (the helpers' code not yet optimized by V8): reported, not budgeted. */
  coldLatenciesMs: number[];
  /** The same, by the replica the client was connected to (index into `urls`). */
  byReplica: number[][];
  /** (toggle, client) pairs not seen within `missAfterMs`. */
  missed: number;
  /** Clients that missed at least one toggle. */
  clientsMissing: number;
  /** Duration of each toggle's admin call (commit included), in ms. */
  apiMs: number[];
  /** CPU time all helpers used per toggle (every SDK handling the change), in ms. */
  clientCpuMs: number[];
  /** The same during the warm-up toggles. */
  coldClientCpuMs: number[];
  /** The fastest client's latency at each toggle: what the server and one SDK take, without the queue. */
  firstMs: number[];
  /** Stream drops the clients saw during the run (reconnections). */
  streamDrops: number;
  /** The worst clock offset found between this process and a helper. */
  clock: ClockOffset;
  warmupMissed: number;
}

export async function measurePropagation(options: MeasureOptions): Promise<PropagationResult> {
  const { urls, clients, log } = options;
  const setup = { urls, sdkKey: options.sdkKey, flagKey: options.flagKey, clients };
  const helpers = startHelpers(setup, options.helpers, options.clientCores);
  try {
    await Promise.all(helpers.map((helper) => helper.next('ready', READY_TIMEOUT_MS)));
    const deadline = Date.now() + STREAMS_TIMEOUT_MS;
    for (;;) {
      const counts = await Promise.all(urls.map(streamCount));
      if (counts.reduce((sum, count) => sum + count, 0) >= clients) {
        log(`  streams held: ${counts.join(' + ')}`);
        break;
      }
      if (Date.now() > deadline) throw new Error(`only ${counts.join(' + ')} of ${clients} streams attached`);
      await sleep(100);
    }
    const clock = await worstOffset(helpers);
    log(
      `  clock offset to helpers: ≤ ${Math.abs(clock.offsetMs).toFixed(3)} ms ± ${clock.uncertaintyMs.toFixed(3)} ms`,
    );
    return await toggleAll(helpers, options, clock);
  } finally {
    await Promise.all(helpers.map((helper) => helper.stop()));
  }
}

async function worstOffset(helpers: readonly Helper[]): Promise<ClockOffset> {
  let id = 0;
  let worst: ClockOffset = { offsetMs: 0, uncertaintyMs: 0 };
  for (const helper of helpers) {
    const offset = await clockOffset(async () => {
      const ping = ++id;
      helper.send({ type: 'ping', id: ping });
      return (await helper.next('pong', IPC_TIMEOUT_MS, (m) => m.id === ping)).at;
    });
    if (Math.abs(offset.offsetMs) >= Math.abs(worst.offsetMs)) worst = offset;
  }
  return worst;
}

async function toggleAll(
  helpers: readonly Helper[],
  options: MeasureOptions,
  clock: ClockOffset,
): Promise<PropagationResult> {
  const { urls, admin, flagKey, environment } = options;
  const base = `${urls[0]}/api/v1/flags/${flagKey}/environments/${environment}`;
  const current = (await (await fetch(base, { headers: admin })).json()) as {
    version: number;
    enabled: boolean;
  };
  if (!current.enabled) throw new Error(`${flagKey} must start enabled`);
  let version = current.version;
  const result: PropagationResult = {
    latenciesMs: [],
    coldLatenciesMs: [],
    byReplica: urls.map(() => []),
    missed: 0,
    clientsMissing: 0,
    apiMs: [],
    firstMs: [],
    clientCpuMs: [],
    coldClientCpuMs: [],
    streamDrops: 0,
    clock,
    warmupMissed: 0,
  };
  const missing = new Set<string>();
  const total = options.warmup + options.toggles;
  for (let toggle = 0; toggle < total; toggle++) {
    const measured = toggle >= options.warmup;
    const killed = toggle % 2 === 0;
    for (const helper of helpers) helper.send({ type: 'arm', toggle, killed });
    await Promise.all(helpers.map((h) => h.next('armed', IPC_TIMEOUT_MS, (m) => m.toggle === toggle)));

    const body = JSON.stringify({ version });
    const startedAt = sharedNow();
    const response = await fetch(`${base}/${killed ? 'disable' : 'enable'}`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body,
    });
    const answeredAt = sharedNow();
    const text = await response.text();
    if (!response.ok) throw new Error(`toggle ${toggle}: ${response.status} ${text}`);
    version = (JSON.parse(text) as { version: number }).version;

    const remaining = Math.max(0, startedAt + options.missAfterMs - sharedNow());
    await Promise.all(
      helpers.map((h) => h.next('complete', remaining, (m) => m.toggle === toggle).catch(() => undefined)),
    );
    for (const helper of helpers) helper.send({ type: 'collect', toggle });
    const reports = await Promise.all(
      helpers.map((h) => h.next('times', IPC_TIMEOUT_MS, (m) => m.toggle === toggle)),
    );
    let seen = 0;
    let late = 0;
    for (const [h, report] of reports.entries()) {
      for (const [index, at] of report.at.entries()) {
        const latency = at === null ? undefined : at - startedAt;
        if (latency === undefined || latency > options.missAfterMs) {
          late++;
          if (measured) missing.add(`${h}/${index}`);
          continue;
        }
        seen++;
        if (!measured) {
          result.coldLatenciesMs.push(latency);
          continue;
        }
        result.latenciesMs.push(latency);
        result.byReplica[index % urls.length]?.push(latency);
      }
      if (toggle === total - 1) result.streamDrops += report.streamDrops;
    }
    if (measured) {
      result.missed += late;
      result.apiMs.push(answeredAt - startedAt);
    } else {
      result.warmupMissed += late;
    }
    const times = reports.flatMap((r) => r.at.flatMap((at) => (at === null ? [] : [at - startedAt])));
    const first = Math.min(...times);
    const worst = Math.max(...times);
    const cpuMs = reports.reduce((sum, r) => sum + r.cpuMs, 0);
    if (measured) {
      result.firstMs.push(first);
      result.clientCpuMs.push(cpuMs);
    } else {
      result.coldClientCpuMs.push(cpuMs);
    }
    options.log(
      `  ${measured ? 'toggle' : 'warm-up'} ${toggle + 1 - (measured ? options.warmup : 0)} (${killed ? 'disable' : 'enable'}): ` +
        `${seen}/${options.clients} clients, first ${first.toFixed(1)} ms, last ${worst.toFixed(1)} ms, API call ${(answeredAt - startedAt).toFixed(1)} ms, ` +
        `client CPU ${cpuMs.toFixed(1)} ms` +
        (late > 0 ? `, ${late} MISSED` : ''),
    );
    await sleep(options.pauseMs);
  }
  result.clientsMissing = missing.size;
  return result;
}
