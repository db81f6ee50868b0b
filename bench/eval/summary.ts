/**
 * Turns the engines' reports into the rows of the results table, the distribution verdicts, and
 * the two budget checks of DESIGN.md §8.
 */
import type { EngineReport } from './engine-report.js';
import { RULE, SPLIT, VARIANTS } from './flag.js';

/** One row of `results/eval.json`. */
export interface ResultRow {
  engine: string;
  version: string;
  /** Median of the rounds' medians (each round: the median of its measured runs). */
  nsPerEval: number;
  minNs: number;
  maxNs: number;
  /** This engine's median over Switchboard's; null when Switchboard was not run. */
  ratioToSwitchboard: number | null;
}

/** How far a split share may be from its weight, in percentage points. */
export const SPLIT_TOLERANCE_PP = 1;
/** DESIGN.md §8: Switchboard costs at most this many times the hand-written baseline. */
export const MAX_RATIO_TO_BASELINE = 1.5;
/** DESIGN.md §8: the fastest peer costs at least this many times Switchboard. */
export const MIN_SPEEDUP_OVER_PEERS = 4;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

export function toRows(reports: readonly EngineReport[]): ResultRow[] {
  const switchboard = reports.find((report) => report.engine === 'switchboard');
  const figure = (report: EngineReport) => median(report.roundMediansNs ?? [median(report.runsNs)]);
  const switchboardMedian = switchboard ? figure(switchboard) : null;
  return reports.map((report) => {
    const nsPerEval = figure(report);
    return {
      engine: report.engine,
      version: report.version,
      nsPerEval,
      minNs: Math.min(...report.runsNs),
      maxNs: Math.max(...report.runsNs),
      ratioToSwitchboard: switchboardMedian ? nsPerEval / switchboardMedian : null,
    };
  });
}

/** Everything wrong with what an engine served; empty when its distribution is right. */
export function distributionProblems(report: EngineReport): string[] {
  const { distribution } = report;
  const problems: string[] = [];
  for (const value of Object.keys(distribution.served)) {
    if (!(VARIANTS as readonly string[]).includes(value))
      problems.push(`served a value that is no variant: ${value}`);
  }
  if (distribution.ruleUsers === 0) problems.push('no user matched the rule');
  if (distribution.ruleUsersServedRule !== distribution.ruleUsers) {
    const missed = distribution.ruleUsers - distribution.ruleUsersServedRule;
    problems.push(`${missed} of ${distribution.ruleUsers} rule users were not served ${RULE.serve}`);
  }
  for (const { variant, percent } of SPLIT) {
    const share = splitShare(report, variant) * 100;
    if (Math.abs(share - percent) > SPLIT_TOLERANCE_PP) {
      problems.push(
        `split share of ${variant} is ${share.toFixed(2)}%, expected ${percent}% ± ${SPLIT_TOLERANCE_PP}`,
      );
    }
  }
  report.runChecksums.forEach((checksum, run) => {
    if (checksum !== distribution.checksum) {
      problems.push(
        `measured run ${run + 1} served other values than the checked pass (checksum ${checksum})`,
      );
    }
  });
  return problems;
}

export function splitShare(report: EngineReport, variant: string): number {
  const { splitServed, splitUsers } = report.distribution;
  return splitUsers === 0 ? 0 : (splitServed[variant] ?? 0) / splitUsers;
}

export function servedShare(report: EngineReport, variant: string): number {
  const { served, users } = report.distribution;
  return users === 0 ? 0 : (served[variant] ?? 0) / users;
}

export interface TargetCheck {
  name: string;
  /** `null` when an engine it needs was not run. */
  passed: boolean | null;
  detail: string;
}

/** Engine ids that are not peers. */
const OWN_ENGINES = new Set(['switchboard', 'baseline']);

export function targetChecks(rows: readonly ResultRow[]): TargetCheck[] {
  const switchboard = rows.find((row) => row.engine === 'switchboard');
  const baseline = rows.find((row) => row.engine === 'baseline');
  const peers = rows.filter((row) => !OWN_ENGINES.has(row.engine));
  const fastestPeer = peers.reduce<ResultRow | undefined>(
    (fastest, row) => (!fastest || row.nsPerEval < fastest.nsPerEval ? row : fastest),
    undefined,
  );
  const vsBaseline = `Switchboard ≤ ${MAX_RATIO_TO_BASELINE}× baseline`;
  const vsPeers = `Switchboard ≥ ${MIN_SPEEDUP_OVER_PEERS}× faster than the fastest peer`;
  return [
    switchboard && baseline
      ? {
          name: vsBaseline,
          passed: switchboard.nsPerEval / baseline.nsPerEval <= MAX_RATIO_TO_BASELINE,
          detail: `${(switchboard.nsPerEval / baseline.nsPerEval).toFixed(2)}× (${fmt(switchboard.nsPerEval)} vs ${fmt(baseline.nsPerEval)} ns)`,
        }
      : { name: vsBaseline, passed: null, detail: 'switchboard and baseline must both run' },
    switchboard && fastestPeer
      ? {
          name: vsPeers,
          passed: fastestPeer.nsPerEval / switchboard.nsPerEval >= MIN_SPEEDUP_OVER_PEERS,
          detail: `${(fastestPeer.nsPerEval / switchboard.nsPerEval).toFixed(2)}× (fastest peer ${fastestPeer.engine}: ${fmt(fastestPeer.nsPerEval)} ns)`,
        }
      : { name: vsPeers, passed: null, detail: 'switchboard and at least one peer must run' },
  ];
}

/** The row as written to `results/eval.json`: ns to 0.1, ratios to 0.001. */
export function roundedRow(row: ResultRow): ResultRow {
  const round = (value: number, step: number) => Math.round(value / step) * step;
  return {
    ...row,
    nsPerEval: Number(round(row.nsPerEval, 0.1).toFixed(1)),
    minNs: Number(round(row.minNs, 0.1).toFixed(1)),
    maxNs: Number(round(row.maxNs, 0.1).toFixed(1)),
    ratioToSwitchboard: row.ratioToSwitchboard === null ? null : Number(row.ratioToSwitchboard.toFixed(3)),
  };
}

export function fmt(ns: number): string {
  return ns >= 100 ? ns.toFixed(0) : ns.toFixed(1);
}
