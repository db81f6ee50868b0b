import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { SCENARIOS, type ScenarioName } from '../features/rollouts/simulation-scenarios.js';
import { CliError, EXIT } from './exit-codes.js';

interface SimulateOptions {
  scenario: ScenarioName;
  seed: number;
  hours: number;
  requestsPerHour?: number;
}

/** Where simulated time starts: a fixed hour, so runs read alike. */
const SIMULATION_START = Date.UTC(2026, 0, 5);
const MAX_HOURS = 24 * 60;

function wholeNumber(max: number) {
  return (text: string): number => {
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max)
      throw new InvalidArgumentError(`expected a whole number from 1 to ${max}`);
    return Number(text);
  };
}

/**
 * `switchboard simulate --scenario improve|regress|neutral`: a rollout for people to watch. A server
 * runs in this process on a temporary embedded store with a simulated clock; simulated users (seeded)
 * are served by the flag and send their generations and thumbs; the scheduler decides at the end of
 * every simulated hour, and each decision is printed as it happens. Days take seconds.
 */
export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description(
      'Watch a guarded rollout decide: a better, worse or neutral LLM candidate under simulated traffic, on a throwaway in-process server with a simulated clock',
    )
    .addOption(
      new Option('--scenario <name>', 'what the candidate is like')
        .choices(Object.keys(SCENARIOS))
        .makeOptionMandatory(),
    )
    .option('--seed <n>', 'the seed of the simulated users', wholeNumber(1_000_000_000), 1)
    .option('--hours <n>', 'simulated hours at most', wholeNumber(MAX_HOURS), 24 * 8)
    .option(
      '--requests-per-hour <n>',
      "simulated requests per hour (default: the scenario's)",
      wholeNumber(100_000),
    )
    .addHelpText(
      'after',
      `\nScenarios:\n${Object.entries(SCENARIOS)
        .map(([name, s]) => `  ${name.padEnd(16)} ${s.description} (${s.preset} preset)`)
        .join('\n')}\n\nExample: switchboard simulate --scenario regress`,
    )
    .action(async (options: SimulateOptions) => {
      // Loaded here: the commands that only talk to a server start faster without the server's code.
      const [{ createApp }, { loadConfig }, { runRolloutSimulation }] = await Promise.all([
        import('../app.js'),
        import('../config.js'),
        import('../features/rollouts/rollout-simulation.js'),
      ]);
      const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-simulate-'));
      let now = SIMULATION_START;
      const app = await createApp(
        loadConfig({}, { dataDir, logLevel: 'silent', bootstrapAdminKey: false, rolloutIntervalMs: 0 }),
        { clock: () => new Date(now) },
      );
      try {
        const outcome = await runRolloutSimulation(
          {
            flags: app.services.flags,
            rollouts: app.services.rollouts,
            scheduler: app.services.rolloutScheduler,
            snapshots: app.services.snapshots,
            events: app.services.events,
            start: SIMULATION_START,
            setTime: (ms) => {
              now = ms;
            },
          },
          {
            scenario: options.scenario,
            seed: options.seed,
            maxHours: options.hours,
            requestsPerHour: options.requestsPerHour,
            print: (line) => process.stdout.write(`${line}\n`),
          },
        );
        if (outcome.decisions.length === 0) throw new CliError('the scheduler decided nothing', EXIT.failed);
      } finally {
        await app.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
}
