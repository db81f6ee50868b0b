import { EventEmitter } from 'node:events';

/** What changed, published after the change is committed. */
export interface Change {
  /** `drain` changes nothing in the store: it asks the SDKs of one environment to drain a flag's calls. */
  resource: 'flag' | 'segment' | 'environment' | 'project' | 'api-key' | 'drain';
  key: string;
  projectId: string;
  /** The new snapshot version of each environment whose snapshot changed. */
  environmentVersions: Record<string, number>;
  /** With resource `drain`: what to drain, where and why. */
  drain?: DrainSignal;
}

/**
 * A request to the SDKs of one environment: abort the in-flight generations of `flag` (of `variant`
 * only, when given). Sent after a rollback or a kill is committed and published; SDK streams get it
 * after the change that caused it.
 */
export interface DrainSignal {
  environmentId: string;
  flag: string;
  variant?: string | undefined;
  reason: string;
}

/** What the change bus and its helpers log through: the app's (pino) logger fits. */
export interface ReplicaLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/**
 * Carries committed changes to whoever keeps state derived from the store (snapshot caches, SDK
 * streams). In-process here; with several replicas, a Redis implementation carries them between
 * processes.
 */
export interface ChangeBus {
  /**
   * Delivers a change to this process's subscribers, then to the other replicas; failing to reach them
   * is logged and counted, never thrown into the request that made the change.
   */
  publish(change: Change): void;
  /**
   * Delivers a change to this process's subscribers only: one this replica found by reading the store
   * (after missing it on the way), which the other replicas find for themselves.
   */
  announce(change: Change): void;
  /** Returns a function that unsubscribes. */
  subscribe(listener: (change: Change) => void): () => void;
  close(): Promise<void>;
}

/** The single-process change bus. */
export class InProcessChangeBus implements ChangeBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(change: Change): void {
    this.emitter.emit('change', change);
  }

  announce(change: Change): void {
    this.emitter.emit('change', change);
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
