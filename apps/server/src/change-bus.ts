import { EventEmitter } from 'node:events';

/** What changed, published after the change is committed. */
export interface Change {
  resource: 'flag' | 'segment' | 'environment' | 'project' | 'api-key';
  key: string;
  projectId: string;
  /** The new snapshot version of each environment whose snapshot changed. */
  environmentVersions: Record<string, number>;
}

/**
 * Carries committed changes to whoever keeps state derived from the store (snapshot caches, SDK
 * streams). In-process here; with several replicas, a Redis implementation carries them between
 * processes.
 */
export interface ChangeBus {
  publish(change: Change): void;
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

  subscribe(listener: (change: Change) => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
