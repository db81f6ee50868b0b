import { type ChildProcess, spawn } from 'node:child_process';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, where the examples' npm scripts run. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** An example started as a user would (`npm run example:…`), and what it printed. */
export interface ExampleProcess {
  child: ChildProcess;
  output(): string;
  /** Ends the example's whole process group (npm and what it started) and waits for it to exit. */
  stop(): Promise<number | null>;
}

/**
 * Runs `npm run <script>` from the repository root in its own process group, and resolves once a line
 * of its stdout matches `ready` (rejecting when it exits first or after `timeoutMs`).
 */
export async function startExample(
  script: string,
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 20_000,
): Promise<{ example: ExampleProcess; match: RegExpMatchArray }> {
  const child = spawn('npm', ['run', '--silent', script], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PATH: [join(REPO_ROOT, 'node_modules/.bin'), process.env.PATH].join(delimiter),
      ...env,
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  const example: ExampleProcess = {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // Gone already.
        }
      }
      return exited;
    },
  };
  const match = await new Promise<RegExpMatchArray>((resolveMatch, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} printed no ${ready} in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = output.match(ready);
      if (found !== null) {
        clearTimeout(timer);
        resolveMatch(found);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready:\n${output}`));
    });
  }).catch(async (error: unknown) => {
    await example.stop();
    throw error;
  });
  return { example, match };
}
