import { evaluate, Reason } from '@switchboard/core';
import { describeStage, type RolloutStage } from '@switchboard/core/rollout';
import { seededRandom } from '../demo/simulated-users.js';
import type { SnapshotService } from '../evaluation/snapshot-service.js';
import type { EventService } from '../events/event-service.js';
import type { FlagService } from '../flags/flag-service.js';
import type { RolloutScheduler } from './rollout-scheduler.js';
import type { DecisionReport, RolloutService } from './rollout-service.js';
import { type ArmModel, SCENARIOS, type ScenarioName } from './simulation-scenarios.js';

const HOUR_MS = 3_600_000;
const FLAG = 'support-model';
const ACTOR = 'simulate';
const FEEDBACK_SHARE = 0.4;
const PROJECT = 'default';
const ENVIRONMENT = 'production';

/** The app a simulation runs in: its services and a way to move its clock. */
export interface SimulationTarget {
  flags: FlagService;
  rollouts: RolloutService;
  scheduler: RolloutScheduler;
  snapshots: SnapshotService;
  events: EventService;
  /** Sets the app's (injected) clock. */
  setTime(ms: number): void;
  /** Where the simulation starts (ms). */
  start: number;
}

export interface SimulationOptions {
  scenario: ScenarioName;
  seed: number;
  /** Stop after this many simulated hours if nothing ended the rollout. */
  maxHours: number;
  requestsPerHour?: number | undefined;
  print(line: string): void;
}

/** How a simulated rollout ended. */
export interface SimulationOutcome {
  outcome: 'completed' | 'rolled-back' | 'holding';
  hours: number;
  /** Requests per assigned variant over the run. */
  served: Record<string, number>;
  decisions: DecisionReport[];
}

function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : `${(value * 100).toFixed(1)}%`;
}

function figures(d: DecisionReport): string {
  const c = d.arms?.candidate;
  const k = d.arms?.control;
  if (c === undefined || k === undefined) return '';
  const ms = (v: number | null) => (v === null ? '-' : `${Math.round(v)} ms`);
  return (
    `candidate ${c.units} units, ${c.requests} req, errors ${percent(c.errorRate)}, p95 ${ms(c.latencyP95Ms)}, ` +
    `thumbs up ${percent(c.quality.mean)} | control ${k.units} units, errors ${percent(k.errorRate)}, ` +
    `p95 ${ms(k.latencyP95Ms)}, thumbs up ${percent(k.quality.mean)}`
  );
}

/**
 * Runs one rollout of a simulated LLM change through the app's real services: a flag with a control
 * and a candidate, a plan from the scenario's preset, then hour after hour simulated users (seeded)
 * are served by the core evaluator on the environment's snapshot, as the SDK serves them, and their
 * exposures, generations and thumbs go through event ingestion; at the end of each hour the clock moves
 * and the scheduler ticks. Prints each decision as it happens: stage and percentage, the verdict with
 * its figures, a rollback and its reason (holds once per cause).
 */
export async function runRolloutSimulation(
  target: SimulationTarget,
  options: SimulationOptions,
): Promise<SimulationOutcome> {
  const scenario = SCENARIOS[options.scenario];
  const requestsPerHour = options.requestsPerHour ?? scenario.requestsPerHour;
  const random = seededRandom(`${options.scenario}\u0000${options.seed}`);
  const { print } = options;
  target.setTime(target.start);

  await target.flags.create(
    PROJECT,
    {
      key: FLAG,
      kind: 'ai-config',
      changeType: scenario.preset,
      variants: [
        { key: 'control', value: { provider: 'openai', model: 'gpt-4o' } },
        { key: 'candidate', value: { provider: 'openai', model: 'gpt-4o-mini' } },
      ],
    },
    ACTOR,
    // Derived from the seed: the same users land in the same arms, so a seed replays the same run.
    { salt: saltOf(random) },
  );
  await target.flags.updateEnvironment(
    PROJECT,
    FLAG,
    ENVIRONMENT,
    { enabled: true, fallthrough: { variant: 'control' } },
    0,
    ACTOR,
  );
  const plan = await target.rollouts.create(PROJECT, FLAG, ENVIRONMENT, { candidate: 'candidate' }, ACTOR);
  const stages = plan.stages as unknown as RolloutStage[];
  print(`switchboard simulate --scenario ${options.scenario} --seed ${options.seed}`);
  print(`  ${scenario.description}`);
  print(
    `  ${FLAG} in ${ENVIRONMENT}: control gpt-4o, candidate gpt-4o-mini; ${scenario.preset} preset: ${stages.map(describeStage).join(' → ')}, each held ${Math.round((stages[0]?.minDurationMs ?? 0) / HOUR_MS)} h`,
  );
  print(
    `  ${scenario.users} users, ${requestsPerHour} requests per hour; the scheduler looks at the end of each hour`,
  );

  const ref = await target.snapshots.resolve(PROJECT, ENVIRONMENT);
  const arms: Record<string, ArmModel> = { control: scenario.control, candidate: scenario.candidate };
  const exposed = new Set<string>();
  const served: Record<string, number> = {};
  const decisions: DecisionReport[] = [];
  let lastCause = '';
  let batch = 0;
  for (let hour = 0; hour < options.maxHours; hour++) {
    const hourStart = target.start + hour * HOUR_MS;
    target.setTime(hourStart + HOUR_MS);
    const scope = await target.snapshots.get(ref);
    const version = scope.snapshot.flags.find((f) => f.key === FLAG)?.version ?? 0;
    const events: Record<string, unknown>[] = [];
    for (let r = 0; r < requestsPerHour; r++) {
      const unit = `user-${Math.floor(random() * scenario.users)}`;
      const ts = new Date(hourStart + Math.floor(random() * HOUR_MS)).toISOString();
      const result = evaluate(scope.compiled, FLAG, { targetingKey: unit });
      const variant = result.variant;
      const arm = variant === undefined ? undefined : arms[variant];
      if (variant === undefined || arm === undefined) continue;
      served[variant] = (served[variant] ?? 0) + 1;
      // As the SDK does: one exposure per unit, variant and flag version, for what a split served.
      const key = `${unit}\u0000${variant}\u0000${version}`;
      if (result.reason === Reason.Split && !exposed.has(key)) {
        exposed.add(key);
        events.push({ kind: 'exposure', flag: FLAG, variant, unit, ts });
      }
      const failed = random() < arm.errorRate;
      const fallback = !failed && random() < arm.fallbackRate;
      events.push({
        kind: 'generation',
        flag: FLAG,
        variant,
        unit,
        provider: 'openai',
        model: variant === 'control' ? 'gpt-4o' : 'gpt-4o-mini',
        latencyMs: Math.round(arm.latencyMs * (0.6 + 0.8 * random())),
        inputTokens: 400,
        outputTokens: failed ? 0 : 150,
        ts,
        ...(failed ? { error: 'server' } : {}),
        ...(fallback ? { fallbackUsed: true } : {}),
      });
      if (!failed && random() < FEEDBACK_SHARE)
        events.push({
          kind: 'feedback',
          flag: FLAG,
          variant,
          unit,
          thumbs: random() < arm.upRate ? 'up' : 'down',
          ts,
        });
    }
    for (let i = 0; i < events.length; i += 5_000) {
      batch += 1;
      await target.events.ingest(scope, `simulate-${options.seed}-${batch}`, events.slice(i, i + 5_000));
    }
    const tick = await target.scheduler.tick();
    const decision = tick.decisions.find((d) => d.flag === FLAG);
    if (decision === undefined) continue;
    decisions.push(decision);
    const at = `h${String(hour + 1).padStart(3, '0')}`;
    const stage = describeStage(decision.stage).padEnd(4);
    if (decision.action === 'held') {
      const cause = decision.verdict?.checks
        .filter((c) => c.blocksPromotion === true)
        .map((c) => String(c.name))
        .join(',');
      const key = `${decision.stageIndex}:${cause}`;
      if (key !== lastCause) print(`${at}  ${stage}  hold      ${decision.reason}`);
      lastCause = key;
      continue;
    }
    lastCause = '';
    if (decision.action === 'advanced' || decision.action === 'completed') {
      print(`${at}  ${stage}  promote   ${decision.reason}`);
      print(`                  ${figures(decision)}`);
      if (decision.action === 'completed') {
        print(`done: ${FLAG} serves the candidate to everyone after ${hour + 1} h`);
        return { outcome: 'completed', hours: hour + 1, served, decisions };
      }
      continue;
    }
    if (decision.action === 'rolled-back') {
      print(`${at}  ${stage}  ROLL BACK ${decision.reason}`);
      print(`                  ${figures(decision)}`);
      print(
        `                  control served to everyone; SDKs told to drain ${FLAG}'s candidate generations; reason recorded in the timeline`,
      );
      print(
        `done: rolled back at ${describeStage(decision.stage)} after ${hour + 1} h and ${served.candidate ?? 0} candidate requests (of ${Object.values(served).reduce((a, b) => a + b, 0)})`,
      );
      return { outcome: 'rolled-back', hours: hour + 1, served, decisions };
    }
    print(`${at}  ${stage}  ${decision.action}  ${decision.reason}`);
  }
  const last = decisions.at(-1);
  print(
    `done: still holding at ${last === undefined ? '-' : describeStage(last.stage)} after ${options.maxHours} h (not rolled back): ${last?.reason ?? ''}`,
  );
  print(
    "  holding is the safe outcome: the candidate is not shown worse, nor yet shown within the policy's margins; more traffic, or wider margins in the flag's promotion policy, let it through",
  );
  return { outcome: 'holding', hours: options.maxHours, served, decisions };
}

/** A flag salt (15 characters of [a-z0-9]) drawn from the simulation's seeded random numbers. */
function saltOf(random: () => number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length: 15 }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
}
