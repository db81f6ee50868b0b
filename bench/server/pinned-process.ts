/**
 * Child processes pinned to one core with `taskset` (Debian's util-linux), so the server under test
 * and the load generator never share a core: core 0 serves, core 1 loads.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';

/** The core the server under test runs on, and the core the load generator runs on. */
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

/** How long a stopped process may take to exit before it is killed. */
const STOP_TIMEOUT_MS = 10_000;

/** Fails with a clear message when `taskset` is missing (it ships in util-linux). */
export function requireTaskset(): void {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('taskset not found: install util-linux (apt-get install util-linux)');
  }
}

/** A process started by {@link spawnPinned}. */
export interface PinnedProcess {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the first match of `pattern` in its output; rejects if it exits first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** SIGTERM, then SIGKILL if it lingers. */
  stop(): Promise<void>;
}

/** Node flags writing a V8 CPU profile into `BENCH_CPU_PROF` when it is set (none otherwise). */
export function cpuProfileArgs(): string[] {
  const directory = process.env.BENCH_CPU_PROF;
  return directory ? ['--cpu-prof', '--cpu-prof-dir', directory] : [];
}

/** Runs `node <args>` on one core. taskset execs node, so the child's pid is node's. */
export function spawnPinned(
  core: number,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): PinnedProcess {
  const child = spawn('taskset', ['-c', String(core), process.execPath, ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return {
    child,
    output: () => output,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match === null) return;
          done();
          resolve(match);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${output}`));
        }, timeoutMs);
        const onExit = () => {
          done();
          reject(
            new Error(`exited (${child.exitCode ?? child.signalCode}) before ${pattern}; output:\n${output}`),
          );
        };
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(killer);
    },
  };
}
