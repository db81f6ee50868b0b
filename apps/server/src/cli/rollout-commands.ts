import { type Command, InvalidArgumentError, Option } from 'commander';
import type { z } from 'zod';
import type { PlanView, timelineEntrySchema } from '../features/rollouts/rollout-schemas.js';
import { flagPath, type Page } from './api-types.js';
import { type ConnectionOptions, connect, withConnectionOptions } from './connection.js';
import { CliError, EXIT } from './exit-codes.js';
import { print, printJson, shortTime, table } from './output.js';

type TimelineEntry = z.infer<typeof timelineEntrySchema>;

interface FlagEnvironmentOptions extends ConnectionOptions {
  env: string;
  reason?: string;
}

interface StatusOptions extends ConnectionOptions {
  env?: string;
  entries: number;
}

interface StartOptions extends FlagEnvironmentOptions {
  candidate: string;
  control?: string;
  preset?: string;
  costCap?: number;
}

const ACTIONS = {
  pause: 'Pause a rollout: it stays in its stage, the split as it is, until resumed',
  resume: 'Resume a paused rollout',
  advance: 'Advance a rollout to its next stage now, whatever the verdict',
  rollback:
    'Roll a rollout back now: the control to everyone, SDKs drain the candidate, the reason recorded and notified',
} as const;

const HOUR_MS = 3_600_000;

function stageText(stage: Record<string, unknown> | null | undefined): string {
  if (stage === null || stage === undefined) return '-';
  if (stage.kind === 'percentage') return `${stage.percent}%`;
  if (stage.kind === 'targeting') return `segment ${stage.segment}`;
  if (stage.kind === 'shadow') return `shadow ${Number(stage.sampleRate) * 100}%`;
  return String(stage.kind);
}

function describePlan(plan: PlanView): string[] {
  const stages = plan.stages.map(stageText).join(' → ');
  const hours = (Date.now() - Date.parse(plan.stageStartedAt)) / HOUR_MS;
  return [
    `${plan.flag} in ${plan.environment}: ${plan.status}, stage ${plan.stageIndex + 1} of ${plan.stages.length} (${stageText(plan.stage)}) since ${shortTime(plan.stageStartedAt)}${plan.status === 'active' ? ` (${hours.toFixed(1)} h)` : ''}`,
    `  ${plan.candidate} over ${plan.control}; stages ${stages}${plan.costCapPerDayUsd === null ? '' : `; cost cap $${plan.costCapPerDayUsd}/day`}`,
    ...(plan.reason === null ? [] : [`  reason: ${plan.reason}`]),
  ];
}

function timelineTable(entries: readonly TimelineEntry[]): string {
  return table(
    ['at', 'action', 'stage', 'by', 'reason'],
    entries.map((e) => [
      e.repeats > 1 ? `${shortTime(e.at)} … ${shortTime(e.lastAt)} (×${e.repeats})` : shortTime(e.at),
      e.action,
      stageText(e.stage),
      e.actor,
      e.reason,
    ]),
  );
}

function positiveInteger(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return Number(text);
}

function amount(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0)
    throw new InvalidArgumentError('expected an amount in USD ≥ 0');
  return value;
}

/** `switchboard rollout start|status|pause|resume|advance|rollback`. */
export function registerRolloutCommands(program: Command): void {
  const rollout = program
    .command('rollout')
    .description(
      'Guarded rollouts: start one, see where it is, and take over from the scheduler (needs an admin key)',
    );

  withConnectionOptions(
    rollout
      .command('status')
      .description('Where rollouts are: one flag in one environment with its timeline, or every live rollout')
      .argument('[flag]', 'the flag key (all live rollouts without it)')
      .option('--env <env>', 'the environment (needed with a flag)')
      .option('--entries <n>', 'timeline entries to show', positiveInteger, 10),
  ).action(async (flag: string | undefined, options: StatusOptions) => {
    const { api, project, json } = await connect(options);
    if (flag === undefined) {
      const page = await api.get<Page<PlanView>>('/api/v1/rollouts', {
        project,
        status: 'live',
        environment: options.env,
      });
      if (json) return printJson(page);
      if (page.items.length === 0) return print('No live rollouts.');
      return print(
        table(
          ['flag', 'env', 'status', 'stage', 'since', 'candidate', 'reason'],
          page.items.map((p) => [
            p.flag,
            p.environment,
            p.status,
            `${p.stageIndex + 1}/${p.stages.length} ${stageText(p.stage)}`,
            shortTime(p.stageStartedAt),
            p.candidate,
            p.reason ?? '-',
          ]),
        ),
      );
    }
    if (options.env === undefined) throw new CliError('--env: needed with a flag', EXIT.usage);
    const plan = await api.get<PlanView>(flagPath(flag, options.env, 'rollout'), { project });
    const timeline = await api.get<Page<TimelineEntry>>(`/api/v1/rollouts/${plan.id}/timeline`, {});
    if (json) return printJson({ ...plan, timeline: timeline.items });
    print(...describePlan(plan), '', timelineTable(timeline.items.slice(-options.entries)));
  });

  withConnectionOptions(
    rollout
      .command('start')
      .description(
        "Start a rollout from the flag's change type preset (or --preset): the first stage is served at once",
      )
      .argument('<flag>', 'the flag key')
      .requiredOption('--env <env>', 'the environment, e.g. production')
      .requiredOption('--candidate <variant>', 'the variant rolled out')
      .option(
        '--control <variant>',
        "who gets the rest (default: the policy's control, else as results pick it)",
      )
      .addOption(
        new Option('--preset <change-type>', 'the preset').choices([
          'model-swap',
          'prompt',
          'tool',
          'parameters',
          'agent-workflow',
          'other',
        ]),
      )
      .option('--cost-cap <usd>', "the candidate's budget per day", amount),
  ).action(async (flag: string, options: StartOptions) => {
    const { api, project, json } = await connect(options);
    const plan = await api.post<PlanView>(
      flagPath(flag, options.env, 'rollout'),
      { project },
      {
        candidate: options.candidate,
        ...(options.control === undefined ? {} : { control: options.control }),
        ...(options.preset === undefined ? {} : { preset: options.preset }),
        ...(options.costCap === undefined ? {} : { costCapPerDayUsd: options.costCap }),
      },
    );
    if (json) return printJson(plan);
    print(`Started.`, ...describePlan(plan));
  });

  for (const [action, description] of Object.entries(ACTIONS)) {
    withConnectionOptions(
      rollout
        .command(action)
        .description(description)
        .argument('<flag>', 'the flag key')
        .requiredOption('--env <env>', 'the environment, e.g. production')
        .option('--reason <text>', 'why: recorded in the timeline, the audit log and notifications'),
    )
      .addHelpText(
        'after',
        `\nExample: switchboard rollout ${action} llm-model --env production --reason "..."`,
      )
      .action(async (flag: string, options: FlagEnvironmentOptions) => {
        const { api, project, json } = await connect(options);
        const plan = await api.post<PlanView>(
          `${flagPath(flag, options.env, 'rollout')}/${action}`,
          { project },
          options.reason === undefined ? {} : { reason: options.reason },
        );
        if (json) return printJson(plan);
        print(...describePlan(plan));
      });
  }
}
