import { EVENT_LIMITS } from '../events/event-schemas.js';
import { InstantClock } from './instant-clock.js';
import { seededRandom } from './simulated-users.js';
import {
  type DemoTarget,
  TrafficGenerator,
  type TrafficGeneratorOptions,
  type TrafficStats,
} from './traffic-generator.js';

/** Requests per hour of the history: enough for results with intervals, written in a second or two. */
export const HISTORY_REQUESTS_PER_HOUR = 120;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** The history ends this long before now: its last answers stay in the past. */
const HISTORY_END_GAP_MS = 60_000;
/** Kept from the retention's edge: an event stamped just inside it could be outside by the time it lands. */
const RETENTION_MARGIN_MS = HOUR_MS;

/** Options of {@link writeHistory}. */
export interface HistoryOptions extends Pick<TrafficGeneratorOptions, 'seed' | 'users' | 'warn' | 'exposed'> {
  /** How far back it goes, in hours; cut to what the event retention keeps. */
  hours: number;
  /** Days raw events are kept: events older are refused, so the history never goes further back. */
  retentionDays: number;
  /** Now, in epoch ms. */
  nowMs: number;
  /** Requests per hour; {@link HISTORY_REQUESTS_PER_HOUR} by default. */
  requestsPerHour?: number;
}

/** The hours of history that fit in the retention: `hours`, or less. */
export function historyHours(hours: number, retentionDays: number): number {
  const keptHours = (retentionDays * DAY_MS - RETENTION_MARGIN_MS - HISTORY_END_GAP_MS) / HOUR_MS;
  return Math.max(0, Math.min(hours, Math.floor(keptHours)));
}

/**
 * Writes past traffic at once, so that results and charts have data on a fresh store: the simulated
 * requests of the last `hours` (at {@link HISTORY_REQUESTS_PER_HOUR}, spread at random over the span),
 * each run on an {@link InstantClock} set to its time, one after the other, with the events stamped
 * when they would have happened. It goes through the event service like the live traffic, within its
 * rules (the retention, no future times).
 */
export async function writeHistory(target: DemoTarget, options: HistoryOptions): Promise<TrafficStats> {
  const hours = historyHours(options.hours, options.retentionDays);
  const to = options.nowMs - HISTORY_END_GAP_MS;
  const from = to - hours * HOUR_MS;
  const count = Math.round(hours * (options.requestsPerHour ?? HISTORY_REQUESTS_PER_HOUR));
  const clock = new InstantClock(from);
  const generator = new TrafficGenerator(target, {
    seed: `${options.seed}\u0000history`,
    clock,
    ...(options.users !== undefined && { users: options.users }),
    ...(options.exposed !== undefined && { exposed: options.exposed }),
    ...(options.warn !== undefined && { warn: options.warn }),
  });
  const random = seededRandom(`${options.seed}\u0000history-times`);
  const spacing = count === 0 ? 0 : (to - from) / count;
  for (let i = 0; i < count; i++) {
    clock.moveTo(Math.round(from + (i + random()) * spacing));
    await generator.request();
    if (generator.buffered >= EVENT_LIMITS.eventsPerBatch) await generator.flush();
  }
  await generator.flush();
  return generator.stats;
}
