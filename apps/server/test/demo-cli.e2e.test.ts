import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli.js';
import { runCli } from './cli-process.js';

// As in cli-process.ts: the CLI from source through tsx.
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI_ENTRY = fileURLToPath(new URL('../src/cli-entry.ts', import.meta.url));
const NODE_ARGS = ['--conditions=switchboard-source', '--import', 'tsx', CLI_ENTRY];
const SETTINGS = /^(SWITCHBOARD_|PORT$|HOST$|DATABASE_URL$|REDIS_URL$|LOG_LEVEL$|NODE_OPTIONS$)/;
const START_TIMEOUT_MS = 45_000;

interface DemoProcess {
  url: string;
  /** The demo's line. */
  line: string;
  output(): string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely; assertions check them.
  api(path: string): Promise<any>;
  /** Generation events of llm-model in production, from the export. */
  generations(): Promise<{ ts: string; variant: string }[]>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** `switchboard <args> --port 0 ... --data-dir <dataDir>`, once it printed its demo line. */
async function startDemoProcess(args: readonly string[], dataDir: string): Promise<DemoProcess> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SETTINGS.test(name)));
  const child = spawn(
    process.execPath,
    [
      ...NODE_ARGS,
      ...args,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
    ],
    { cwd: REPO_ROOT, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const stop = async () => {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited(child);
    clearTimeout(killer);
    return code;
  };
  try {
    const [url, line] = await new Promise<[string, string]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the demo did not start:\n${output}`)),
        START_TIMEOUT_MS,
      );
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
        const line = /^ {2}Demo: .*$/m.exec(output)?.[0];
        if (url !== undefined && line !== undefined) {
          clearTimeout(timer);
          resolve([url, line]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the demo exited (${code}) before starting:\n${output}`));
      });
    });
    const adminKey = (await readFile(join(dataDir, 'admin-key'), 'utf8')).trim();
    const get = (path: string) =>
      fetch(`${url}${path}`, { headers: { authorization: `Bearer ${adminKey}` } });
    return {
      url,
      line,
      output: () => output,
      api: async (path) => (await get(path)).json(),
      async generations() {
        const response = await get(
          '/api/v1/events/export?environment=production&kind=generation&flag=llm-model',
        );
        const text = await response.text();
        return text
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l));
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('switchboard demo in a child process (SQLite)', () => {
  let dataDir: string;
  let running: DemoProcess | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchboard-demo-e2e-'));
  });
  afterAll(async () => {
    await running?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('seeds, writes history, sends live traffic visible over HTTP, and exits 0 on SIGTERM', async () => {
    const startedAt = new Date().toISOString();
    running = await startDemoProcess(['demo', '--demo-rate', '20', '--demo-history', '2'], dataDir);
    const demo = running;
    expect(demo.line).toContain('created llm-model, prompt-variant, ai-agent in project default/production');
    expect(demo.line).toContain('240 requests of history over 2 h; simulated traffic at 20 requests/s');
    expect(demo.line).toContain(`Results: ${demo.url}/api/v1/flags/llm-model/results?env=production`);

    const flags = await demo.api('/api/v1/flags?tag=demo');
    expect(flags.items.map((f: { key: string }) => f.key).sort()).toEqual([
      'ai-agent',
      'llm-model',
      'prompt-variant',
    ]);
    // The history is there at once; live generations follow within seconds.
    const history = await demo.generations();
    expect(history.length).toBeGreaterThanOrEqual(240);
    const live = await waitFor(
      () => demo.generations(),
      (all) => all.some((g) => g.ts >= startedAt),
      15_000,
    );
    expect(live.filter((g) => g.ts >= startedAt).length).toBeGreaterThan(0);
    expect(new Set(live.map((g) => g.variant))).toEqual(new Set(['control', 'candidate']));

    expect(await demo.stop()).toBe(EXIT.ok);
    expect(demo.output()).toContain('SIGTERM: closing...');
    expect(demo.output()).not.toMatch(/error|warn/i);
    running = undefined;
  }, 90_000);

  it('on a restart keeps the demo as it is: no second seed, no second history', async () => {
    running = await startDemoProcess(['start', '--demo', '--demo-rate', '0'], dataDir);
    const demo = running;
    expect(demo.line).toContain('kept llm-model, prompt-variant, ai-agent as they were');
    expect(demo.line).toContain('no simulated traffic (--demo-rate 0)');
    const atStart = (await demo.generations()).length;
    const audit = await demo.api('/api/v1/audit?actor=demo&limit=500');
    expect(audit.items).toHaveLength(6);
    const flags = await demo.api('/api/v1/flags?limit=500');
    expect(flags.items).toHaveLength(3);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await demo.generations()).toHaveLength(atStart);
    expect(await demo.stop()).toBe(EXIT.ok);
    running = undefined;
  }, 90_000);

  it('refuses demo options without --demo, and bad values, as usage errors', async () => {
    const stray = await runCli(['start', '--demo-rate', '5', '--data-dir', dataDir], {});
    expect(stray.code).toBe(EXIT.usage);
    expect(stray.stderr).toContain('--demo-rate needs --demo (or use switchboard demo)');
    const bad = await runCli(['demo', '--demo-rate', 'fast', '--data-dir', dataDir], {});
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain('--demo-rate must be a number from 0 to 500.');
  }, 60_000);
});
