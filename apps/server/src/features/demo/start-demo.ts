import { systemClock } from '@switchboard/llm';
import type { App } from '../../app.js';
import { DEMO_ENVIRONMENT, DEMO_PROJECT, DemoFlag } from './demo-flags.js';
import { historyHours, writeHistory } from './demo-history.js';
import { type DemoSeed, seedDemo } from './demo-seeder.js';
import { TrafficGenerator, type TrafficStats } from './traffic-generator.js';

/** What `switchboard demo` (or `start --demo`) was asked for. */
export interface DemoOptions {
  /** Simulated requests per second in production; 0 seeds the flags and sends no traffic. */
  requestsPerSecond: number;
  /** Hours of past traffic written when the demo's flags are created (not on later starts); 0: none. */
  historyHours: number;
  /** The same seed gives the same users, requests, answers and feedback. */
  seed: string;
}

/** A started demo. */
export interface RunningDemo {
  seed: DemoSeed;
  /** The history written on this start, if any. */
  history: TrafficStats | undefined;
  traffic: TrafficGenerator;
  /** Stops the traffic and sends its last events; call it before closing the app. */
  stop(): Promise<void>;
}

/**
 * Starts the demo in a running app: seeds it ({@link seedDemo}), writes the history when the flags are
 * new, starts the simulated traffic, and prints one line saying what it did and where to look.
 */
export async function startDemo(
  app: Pick<App, 'services' | 'config' | 'http'>,
  address: string,
  options: DemoOptions,
  out: (line: string) => void,
): Promise<RunningDemo> {
  const seed = await seedDemo(app.services);
  const environment = await app.services.snapshots.resolve(DEMO_PROJECT, DEMO_ENVIRONMENT);
  const target = { events: app.services.events, snapshots: app.services.snapshots, environment };
  const warn = (message: string) => app.http.log.warn(`demo: ${message}`);
  const exposed = new Set<string>();
  const hours = historyHours(options.historyHours, app.config.eventRetentionDays);
  const history =
    seed.created.includes(DemoFlag.Model) && hours > 0
      ? await writeHistory(target, {
          seed: options.seed,
          hours,
          retentionDays: app.config.eventRetentionDays,
          nowMs: Date.now(),
          exposed,
          warn,
        })
      : undefined;
  const traffic = new TrafficGenerator(target, { seed: options.seed, clock: systemClock, exposed, warn });
  traffic.start(options.requestsPerSecond);
  out(describeDemo(seed, history === undefined ? undefined : { ...history, hours }, options, address));
  return { seed, history, traffic, stop: () => traffic.stop() };
}

/** The line printed on start. */
export function describeDemo(
  seed: DemoSeed,
  history: (TrafficStats & { hours: number }) | undefined,
  options: DemoOptions,
  address: string,
): string {
  const parts: string[] = [];
  if (seed.created.length > 0) parts.push(`created ${seed.created.join(', ')}`);
  if (seed.kept.length > 0) parts.push(`kept ${seed.kept.join(', ')} as they were`);
  if (seed.foreign.length > 0)
    parts.push(`left ${seed.foreign.join(', ')} alone (not the demo's: no demo tag)`);
  const where = `in project ${seed.project}/${DEMO_ENVIRONMENT}`;
  const past =
    history === undefined
      ? ''
      : `, with ${history.requests.toLocaleString('en')} requests of history over ${history.hours} h`;
  const live =
    options.requestsPerSecond > 0
      ? `simulated traffic at ${options.requestsPerSecond} requests/s`
      : 'no simulated traffic (--demo-rate 0)';
  const results = `${address}/api/v1/flags/${DemoFlag.Model}/results?env=${DEMO_ENVIRONMENT}`;
  const dashboard = `${address}/flags/${DemoFlag.Model}?env=${DEMO_ENVIRONMENT}`;
  return `  Demo: ${parts.join('; ')} ${where}${past}; ${live}. Results: ${results} (dashboard: ${dashboard})`;
}
