import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The CLI runs from source through tsx (`src/cli-entry.ts`), not from `bin/switchboard.js`, which runs
 * `dist/`: a test of a build that may be stale, or that would have to be rebuilt (and rewritten under
 * other runs' feet) before every run, proves less than a test of the code as written. The bin is two
 * lines that call the same `runCli`.
 */
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI_ENTRY = fileURLToPath(new URL('../src/cli-entry.ts', import.meta.url));
const NODE_ARGS = ['--conditions=switchboard-source', '--import', 'tsx', CLI_ENTRY];

/** How long the server may take to start (tsx compiles the sources on first use). */
const START_TIMEOUT_MS = 45_000;
/** How long one CLI command may take before the test fails it. */
const RUN_TIMEOUT_MS = 20_000;

/** The settings the CLI and server read from the environment: none may leak in from the test's. */
const SETTINGS = /^(SWITCHBOARD_|PORT$|HOST$|DATABASE_URL$|REDIS_URL$|LOG_LEVEL$|NODE_OPTIONS$)/;

function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SETTINGS.test(name)));
  return { ...base, NO_COLOR: '1', ...env };
}

/** What one CLI command did. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `switchboard <args>` as a child process with only these settings in its environment. */
export function runCli(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, ...args], {
      cwd: REPO_ROOT,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: RUN_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A `switchboard start` process on a fresh data directory. */
export interface RunningServer {
  url: string;
  dataDir: string;
  adminKey: string;
  /** A JSON request with the admin key, straight to the server (to check what the CLI did). */
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely; assertions check them.
  api(method: string, path: string, body?: unknown): Promise<any>;
  /** What the server printed so far (stdout and stderr). */
  output(): string;
  /** SIGKILL: the process dies at once, its connections dropped without a goodbye. */
  kill(): Promise<void>;
  /** SIGTERM, then the exit: its code (or signal) and how long it took from the signal, in ms. */
  terminate(): Promise<ProcessExit>;
  stop(): Promise<void>;
}

/** How to start a server process other than on a fresh embedded store. */
export interface ServerProcessOptions {
  /** Settings for the server's environment (DATABASE_URL, REDIS_URL...). */
  env?: Record<string, string>;
  /** The admin key, when the store has one already (the server then creates none). */
  adminKey?: string;
  /**
   * The data directory to start on (a restart on the same embedded store); a fresh temporary one
   * otherwise. A directory given here is the caller's: stopping the server leaves it.
   */
  dataDir?: string;
  /** The port to listen on (a restart at the same address); one the OS picks otherwise. */
  port?: number;
}

/** How a server process ended after SIGTERM. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the signal to the exit. */
  ms: number;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts `switchboard start --port 0` (the OS picks a free port; the server prints it) on the embedded
 * store in a temporary data directory (or the store `options.env` names), and waits for /healthz.
 */
export async function startServerProcess(options: ServerProcessOptions = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'switchboard-cli-e2e-')));
  const child = spawn(
    process.execPath,
    [
      ...NODE_ARGS,
      'start',
      '--port',
      String(options.port ?? 0),
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
    ],
    { cwd: REPO_ROOT, env: childEnv(options.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const stop = async () => {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await waitForExit(child);
    clearTimeout(killer);
    if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the server did not start:\n${output}`)),
        START_TIMEOUT_MS,
      );
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${code}) before listening:\n${output}`));
      });
    });
    const health = await fetch(`${url}/healthz`);
    if (!health.ok) throw new Error(`/healthz answered ${health.status}`);
    const adminKey = options.adminKey ?? (await readFile(join(dataDir, 'admin-key'), 'utf8')).trim();
    return {
      url,
      dataDir,
      adminKey,
      async api(method, path, body) {
        const response = await fetch(`${url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${adminKey}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return response.json();
      },
      output: () => output,
      async kill() {
        child.kill('SIGKILL');
        await waitForExit(child);
      },
      async terminate() {
        const exited = new Promise<ProcessExit>((resolve) => {
          child.once('exit', (code, signal) => resolve({ code, signal, ms: performance.now() - sent }));
        });
        const sent = performance.now();
        child.kill('SIGTERM');
        return exited;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
