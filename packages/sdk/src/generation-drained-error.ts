/** Why a tracked call was aborted by a drain. */
export type DrainTrigger = 'killed' | 'requested';

/**
 * The abort reason of a tracked call's signal when a drain aborts it: its flag was killed (disabled)
 * while it ran, or `client.drain(flag)` was called (a rollout rolling back). A call started with a
 * configuration resolved before the kill gets an already aborted signal.
 */
export class GenerationDrainedError extends Error {
  override name = 'GenerationDrainedError';

  constructor(
    readonly flag: string,
    readonly trigger: DrainTrigger,
    /** When the kill switch asks callers to retry (its Retry-After), if it was a kill. */
    readonly retryAfterSeconds?: number,
  ) {
    super(
      trigger === 'killed'
        ? `the flag ${flag} was killed: its in-flight generations are drained`
        : `the generations of flag ${flag} are drained`,
    );
  }
}
