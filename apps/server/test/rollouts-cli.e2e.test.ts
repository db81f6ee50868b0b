import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli.js';
import { type CliRun, type RunningServer, runCli, startServerProcess } from './cli-process.js';

describe('switchboard rollout and simulate', () => {
  let server: RunningServer;
  let cli: (...args: string[]) => Promise<CliRun>;

  beforeAll(async () => {
    server = await startServerProcess();
    cli = (...args) => runCli(args, { SWITCHBOARD_URL: server.url, SWITCHBOARD_DATA_DIR: server.dataDir });
    const created = await server.api('POST', '/api/v1/flags', {
      key: 'llm-model',
      kind: 'ai-config',
      changeType: 'model-swap',
      variants: [
        { key: 'control', value: { provider: 'openai', model: 'gpt-4o' } },
        { key: 'candidate', value: { provider: 'openai', model: 'gpt-4o-mini' } },
      ],
    });
    expect(created.key).toBe('llm-model');
    await server.api('PATCH', '/api/v1/flags/llm-model/environments/production', {
      version: 0,
      enabled: true,
      fallthrough: { variant: 'control' },
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('starts a rollout from the preset and shows where it is', async () => {
    const started = await cli(
      'rollout',
      'start',
      'llm-model',
      '--env',
      'production',
      '--candidate',
      'candidate',
    );
    expect(started.stderr).toBe('');
    expect(started.code).toBe(EXIT.ok);
    expect(started.stdout).toMatch(/llm-model in production: active, stage 1 of 5 \(1%\)/);
    expect(started.stdout).toContain('candidate over control; stages 1% → 5% → 25% → 50% → 100%');
    const all = await cli('rollout', 'status');
    expect(all.stdout.split('\n')[0]).toMatch(/^FLAG\s+ENV\s+STATUS\s+STAGE\s+SINCE\s+CANDIDATE\s+REASON$/);
    expect(all.stdout).toMatch(/llm-model\s+production\s+active\s+1\/5 1%/);
    const one = await cli('rollout', 'status', 'llm-model', '--env', 'production');
    expect(one.code).toBe(EXIT.ok);
    expect(one.stdout).toMatch(
      /created\s+1%\s+key:local admin#\w+\s+rollout of candidate over control started at 1%/,
    );
    const again = await cli(
      'rollout',
      'start',
      'llm-model',
      '--env',
      'production',
      '--candidate',
      'candidate',
    );
    expect(again.code).toBe(EXIT.conflict);
    expect(again.stderr).toMatch(/already has a live rollout in production \(active\)/);
  });

  it('pauses, resumes, advances and rolls back, with reasons in the timeline', async () => {
    const pause = await cli(
      'rollout',
      'pause',
      'llm-model',
      '--env',
      'production',
      '--reason',
      'launch freeze',
    );
    expect(pause.code).toBe(EXIT.ok);
    expect(pause.stdout).toMatch(/: paused, stage 1 of 5/);
    expect(pause.stdout).toContain('reason: launch freeze');
    expect((await cli('rollout', 'pause', 'llm-model', '--env', 'production')).code).toBe(EXIT.conflict);
    expect((await cli('rollout', 'resume', 'llm-model', '--env', 'production')).stdout).toMatch(/: active/);
    const advance = await cli('rollout', 'advance', 'llm-model', '--env', 'production', '--json');
    expect(JSON.parse(advance.stdout)).toMatchObject({ stageIndex: 1, stage: { percent: 5 } });
    const flag = await server.api('GET', '/api/v1/flags/llm-model/environments/production');
    expect(flag.fallthrough.split[0]).toEqual({ variant: 'candidate', weight: 5_000 });
    const rollback = await cli(
      'rollout',
      'rollback',
      'llm-model',
      '--env',
      'production',
      '--reason',
      'bad answers',
    );
    expect(rollback.stdout).toMatch(/: rolled-back, stage 2 of 5 \(5%\)/);
    expect(rollback.stdout).toContain('reason: bad answers');
    const status = await cli('rollout', 'status', 'llm-model', '--env', 'production', '--json');
    expect(JSON.parse(status.stdout).timeline.map((e: { action: string }) => e.action)).toEqual([
      'created',
      'paused',
      'resumed',
      'advanced',
      'rolled-back',
    ]);
    expect((await cli('rollout', 'rollback', 'llm-model', '--env', 'production')).code).toBe(EXIT.notFound);
    expect((await cli('rollout', 'status', 'nope', '--env', 'production')).code).toBe(EXIT.notFound);
    expect((await cli('rollout', 'status', 'llm-model')).code).toBe(EXIT.usage);
  });

  it('simulates a worse candidate, printing each decision until the rollback and its reason', async () => {
    const run = await runCli(['simulate', '--scenario', 'regress'], {});
    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('model-swap preset: 1% → 5% → 25% → 50% → 100%');
    expect(run.stdout).toMatch(/^h001 {2}1% {4}hold {6}hold: waiting on sample-size/m);
    expect(run.stdout).toMatch(
      /^h\d{3} {2}1% {4}ROLL BACK regress: guardrail broken \(error-rate\) at 1%: error rate control/m,
    );
    expect(run.stdout).toMatch(/candidate \d+ units, \d+ req, errors \d+\.\d%/);
    expect(run.stdout).toMatch(/^done: rolled back at 1% after \d+ h and \d+ candidate requests/m);
    expect((await runCli(['simulate', '--scenario', 'nope'], {})).code).toBe(EXIT.usage);
  }, 30_000);

  it('replays the same run for the same seed', async () => {
    const runs = await Promise.all(
      [1, 1].map(() => runCli(['simulate', '--scenario', 'regress', '--seed', '7'], {})),
    );
    expect(runs.map((r) => r.code)).toEqual([EXIT.ok, EXIT.ok]);
    expect(runs[0]?.stdout).toMatch(/^done: rolled back/m);
    expect(runs[1]?.stdout).toBe(runs[0]?.stdout);
  }, 30_000);
});
