import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run test:stress` writes its figures (committed, like the benches' results). */
export const STRESS_RESULTS_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../bench/results/stress.json',
);

/** One stress test's figures: plain JSON values, with the units in the names (`p99Ms`, `rssMb`). */
export type StressFigures = Record<string, unknown>;

/**
 * Records one section of bench/results/stress.json (e.g. `crash-sqlite`), replacing that section and
 * keeping the others, with the time it was measured. Written atomically (temporary file, then rename).
 * Only the full stress run records figures: a reduced run in CI passes `record: false`.
 *
 * @example
 * recordStressFigures('crash-sqlite', { runs: 20, acknowledgedWrites: 4210, lost: 0 });
 */
export function recordStressFigures(
  section: string,
  figures: StressFigures,
  file = STRESS_RESULTS_FILE,
): void {
  const current: Record<string, unknown> = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)
    : {};
  current[section] = { measuredAt: new Date().toISOString(), ...figures };
  const sorted = Object.fromEntries(Object.entries(current).sort(([a], [b]) => a.localeCompare(b)));
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(sorted, null, 2)}\n`);
  renameSync(temporary, file);
}

/** True when the full stress run asked for (`npm run test:stress` sets SWITCHBOARD_STRESS=full). */
export function isFullStressRun(): boolean {
  return process.env.SWITCHBOARD_STRESS === 'full';
}
