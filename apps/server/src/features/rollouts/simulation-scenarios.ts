import type { ChangeType } from '@switchboard/core';

/** How an arm behaves for simulated users. */
export interface ArmModel {
  errorRate: number;
  /** Mean latency; each call draws uniformly within ±40% of it. */
  latencyMs: number;
  /** Share of thumbs up among the answers that get feedback. */
  upRate: number;
  fallbackRate: number;
}

/** A simulated rollout: how the control and the candidate behave, and the traffic that sees them. */
export interface Scenario {
  description: string;
  control: ArmModel;
  candidate: ArmModel;
  preset: ChangeType;
  users: number;
  requestsPerHour: number;
}

const CONTROL: ArmModel = { errorRate: 0.02, latencyMs: 800, upRate: 0.75, fallbackRate: 0.01 };

/** The scenarios `switchboard simulate` runs (and the simulation tests share). */
export const SCENARIOS = {
  improve: {
    description: 'a better candidate: errors 1% vs 3%, 700 ms vs 900 ms, 80% thumbs up vs 70%',
    control: { errorRate: 0.03, latencyMs: 900, upRate: 0.7, fallbackRate: 0.01 },
    candidate: { errorRate: 0.01, latencyMs: 700, upRate: 0.8, fallbackRate: 0.01 },
    preset: 'prompt',
    users: 2_000,
    requestsPerHour: 300,
  },
  regress: {
    description: 'a worse candidate: errors 15% vs 2%, otherwise the same',
    control: CONTROL,
    candidate: { ...CONTROL, errorRate: 0.15 },
    preset: 'model-swap',
    users: 20_000,
    requestsPerHour: 2_000,
  },
  'regress-latency': {
    description: 'a slower candidate: 1,700 ms vs 800 ms on average, otherwise the same',
    control: CONTROL,
    candidate: { ...CONTROL, latencyMs: 1_700 },
    preset: 'prompt',
    users: 2_000,
    requestsPerHour: 300,
  },
  neutral: {
    description: 'a candidate no different from the control',
    control: CONTROL,
    candidate: CONTROL,
    preset: 'prompt',
    users: 2_000,
    requestsPerHour: 300,
  },
} satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof SCENARIOS;
