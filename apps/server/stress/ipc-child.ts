import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const STOP_TIMEOUT_MS = 10_000;

/**
 * A TypeScript child process of a stress test (run through tsx from the sources), spoken to over IPC:
 * a message it sends waits in an inbox until someone asks for it; a `failed` message rejects.
 */
export class IpcChild<From extends { type: string }, To> {
  readonly child: ChildProcess;
  private readonly inbox: From[] = [];
  private readonly waiters = new Set<() => void>();
  private output = '';
  private readonly exited: Promise<void>;

  /** Starts `node <file> <JSON setup>` from the repository root. */
  constructor(file: string, setup: unknown) {
    const args = ['--conditions=switchboard-source', '--import', 'tsx', file, JSON.stringify(setup)];
    this.child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.child.on('message', (message: From) => {
      this.inbox.push(message);
      for (const waiter of this.waiters) waiter();
    });
    const append = (chunk: Buffer) => {
      this.output = `${this.output}${chunk.toString()}`.slice(-4_000);
    };
    this.child.stdout?.on('data', append);
    this.child.stderr?.on('data', append);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', () => {
        resolve();
        for (const waiter of this.waiters) waiter();
      }),
    );
  }

  send(message: To): void {
    this.child.send(message as object);
  }

  /** The first message of this type, waiting up to `timeoutMs`. */
  next<T extends From['type']>(type: T, timeoutMs: number): Promise<Extract<From, { type: T }>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const failed = this.inbox.find((m) => m.type === 'failed');
        if (failed !== undefined)
          return finish(() => reject(new Error(`child failed: ${JSON.stringify(failed)}`)));
        const index = this.inbox.findIndex((m) => m.type === type);
        if (index >= 0) {
          const [message] = this.inbox.splice(index, 1);
          return finish(() => resolve(message as Extract<From, { type: T }>));
        }
        if (this.child.exitCode !== null || this.child.signalCode !== null)
          finish(() => reject(new Error(`child exited before ${type}; output:\n${this.output}`)));
      };
      const timer = setTimeout(
        () =>
          finish(() => reject(new Error(`no ${type} from a child within ${timeoutMs} ms:\n${this.output}`))),
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

  /** Asks it to stop (`{ type: 'stop' }`), and kills it if it lingers. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.send({ type: 'stop' } as To);
    const killer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(killer);
  }
}
