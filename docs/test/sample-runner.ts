import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunnableBlock } from './markdown-blocks.js';

/** The repository root: samples run here, as a reader in a checkout would. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where TS samples are written (git-ignored, inside the repo so packages resolve as an app's would). */
export const SAMPLES_DIR = join(REPO_ROOT, 'docs/.samples');

/** Longest a sample may run before it is killed and failed. */
export const SAMPLE_TIMEOUT_MS = 30_000;

const OUTPUT_TAIL_CHARS = 4_000;

/** Where a block is, for messages: `docs/quick-start.md:42`. */
export function blockLocation(pageFile: string, block: RunnableBlock): string {
  return `${relative(REPO_ROOT, pageFile)}:${block.line}`;
}

/**
 * Runs one block as a child process (TS through tsx as an ES module, sh through bash with
 * `set -euo pipefail`), cwd the repo root, `node_modules/.bin` first on PATH, with `env` added. Throws,
 * naming the block's page:line, on a non-zero exit, a timeout, or an expected output line missing from
 * stdout; resolves to its stdout otherwise.
 */
export async function runBlock(
  pageFile: string,
  block: RunnableBlock,
  env: Record<string, string>,
  timeoutMs = SAMPLE_TIMEOUT_MS,
): Promise<string> {
  const location = blockLocation(pageFile, block);
  const { command, args, cleanup } = await commandFor(pageFile, block);
  const result = await runProcess(command, args, sampleEnv(env), timeoutMs);
  const output = `--- stdout ---\n${tail(result.stdout)}\n--- stderr ---\n${tail(result.stderr)}`;
  if (result.timedOut) throw new Error(`${location}: the sample ran over ${timeoutMs} ms\n${output}`);
  if (result.code !== 0) {
    throw new Error(`${location}: the sample exited with ${result.code ?? result.signal}\n${output}`);
  }
  const missing = block.expectedOutput.filter((line) => !result.stdout.includes(line));
  if (missing.length > 0) {
    throw new Error(
      `${location}: the sample's output lacks ${missing.map((l) => JSON.stringify(l)).join(', ')}\n${output}`,
    );
  }
  await cleanup();
  return result.stdout;
}

async function commandFor(
  pageFile: string,
  block: RunnableBlock,
): Promise<{ command: string; args: string[]; cleanup: () => Promise<void> }> {
  if (block.language === 'sh') {
    return { command: 'bash', args: ['-c', `set -euo pipefail\n${block.code}`], cleanup: async () => {} };
  }
  const name = relative(join(REPO_ROOT, 'docs'), pageFile).replace(/[^a-zA-Z0-9]+/g, '-');
  const file = join(SAMPLES_DIR, `${name}-L${block.line}.ts`);
  await mkdir(SAMPLES_DIR, { recursive: true });
  await writeFile(file, block.code);
  // Workspace packages resolve to their sources, like the rest of the tests: a sample checks the code as written.
  return {
    command: process.execPath,
    args: ['--import', 'tsx', '--conditions=switchboard-source', file],
    cleanup: () => rm(file, { force: true }),
  };
}

function sampleEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('SWITCHBOARD_') && !name.startsWith('VITEST') && name !== 'NODE_ENV',
    ),
  );
  const path = [join(REPO_ROOT, 'node_modules/.bin'), process.env.PATH ?? ''].join(delimiter);
  // The test runner's own variables (VITEST*, NODE_ENV=test) are not a reader's.
  return { ...inherited, PATH: path, ...env };
}

interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function runProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    // Its own process group, so a timeout also ends whatever a shell sample started.
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // A background process a shell sample left behind would outlive the page's server.
      killGroup(child.pid);
      resolvePromise({ code, signal, stdout, stderr, timedOut });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is gone already.
  }
}

function tail(text: string): string {
  return text.length <= OUTPUT_TAIL_CHARS ? text : `…${text.slice(-OUTPUT_TAIL_CHARS)}`;
}
