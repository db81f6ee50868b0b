/**
 * The client helpers of the propagation benchmark: child processes (client-helper.ts) pinned to the
 * load core, each hosting a share of the SDK clients, spoken to over IPC.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuProfileArgs, LOAD_CORE } from '../server/pinned-process.js';
import type { FromHelper, HelperSetup, ToHelper } from './helper-protocol.js';

const BENCH_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));
const HELPER = fileURLToPath(new URL('./client-helper.ts', import.meta.url));
const STOP_TIMEOUT_MS = 10_000;

type Message<T extends FromHelper['type']> = Extract<FromHelper, { type: T }>;

/** One helper process and its inbox: a message is kept until someone waits for it. */
export class Helper {
  private readonly inbox: FromHelper[] = [];
  private readonly waiters = new Set<() => void>();
  private output = '';
  private readonly exited: Promise<void>;

  constructor(readonly child: ChildProcess) {
    child.on('message', (message: FromHelper) => {
      this.inbox.push(message);
      for (const waiter of this.waiters) waiter();
    });
    const append = (chunk: Buffer) => {
      this.output = `${this.output}${chunk.toString()}`.slice(-4_000);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        resolve();
        for (const waiter of this.waiters) waiter();
      }),
    );
  }

  send(message: ToHelper): void {
    this.child.send(message);
  }

  /** The first message of this type (and matching `where`), waiting up to `timeoutMs`; a `failed` message rejects. */
  next<T extends FromHelper['type']>(
    type: T,
    timeoutMs: number,
    where: (message: Message<T>) => boolean = () => true,
  ): Promise<Message<T>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const failed = this.inbox.find((m) => m.type === 'failed');
        if (failed !== undefined) return finish(() => reject(new Error(`helper failed: ${failed.error}`)));
        const index = this.inbox.findIndex((m) => m.type === type && where(m as Message<T>));
        if (index >= 0) {
          const [message] = this.inbox.splice(index, 1);
          return finish(() => resolve(message as Message<T>));
        }
        if (this.child.exitCode !== null || this.child.signalCode !== null)
          finish(() => reject(new Error(`helper exited before ${type}; output:\n${this.output}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`no ${type} from a helper within ${timeoutMs} ms`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Whether a message of this type is waiting (without taking it). */
  has(type: FromHelper['type'], where: (message: FromHelper) => boolean = () => true): boolean {
    return this.inbox.some((m) => m.type === type && where(m));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.send({ type: 'stop' });
    const killer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(killer);
  }
}

/**
 * Starts `count` helpers sharing `setup.clients` clients between them (the first ones take the
 * remainder), pinned to `cores` (a taskset list: the load core by default).
 */
export function startHelpers(setup: HelperSetup, count: number, cores = String(LOAD_CORE)): Helper[] {
  return Array.from({ length: count }, (_, index) => {
    const clients = Math.floor(setup.clients / count) + (index < setup.clients % count ? 1 : 0);
    const child = spawn(
      'taskset',
      [
        '-c',
        cores,
        process.execPath,
        ...cpuProfileArgs(),
        // The helper itself is TypeScript; the SDK it imports is the built one (see built-workspaces.ts).
        '--import',
        'tsx',
        HELPER,
        JSON.stringify({ ...setup, clients }),
      ],
      // taskset execs node with the IPC channel's descriptor (NODE_CHANNEL_FD) left open.
      {
        cwd: BENCH_DIRECTORY,
        env: { ...process.env, NODE_ENV: 'production' },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    return new Helper(child);
  });
}
