/** A listener of one event, called with its payload. */
export type Listener<T> = (payload: T) => void;

/**
 * A small typed listener registry, for code that must also run in browsers (where `node:events` is not
 * available). Emitting never throws: a listener that throws is reported to `onListenerError` and the
 * others still run.
 *
 * @example
 * const listeners = new ListenerRegistry<{ change: string[] }>();
 * const off = listeners.on('change', (keys) => render(keys));
 * listeners.emit('change', ['llm-model']);
 * off();
 */
export class ListenerRegistry<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (event: string, error: unknown) => void = () => {}) {}

  /** Adds a listener (once: adding the same function again does nothing); returns what removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  /** Removes a listener; removing one that is not there does nothing. */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.listeners.get(event)?.delete(listener as Listener<never>);
  }

  /** Calls every listener of `event` with `payload`, in the order they were added. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    // A copy: a listener may remove itself (or others) while we iterate.
    for (const listener of [...set] as Listener<Events[K]>[]) {
      try {
        listener(payload);
      } catch (error) {
        this.onListenerError(String(event), error);
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners.clear();
  }
}
