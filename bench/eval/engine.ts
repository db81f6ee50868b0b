import type { User } from './users.js';

/**
 * One evaluator under measurement, set up offline with the flag of `flag.ts`.
 *
 * `contextOf` runs once per user before timing starts, so each engine gets its context in its own
 * native shape (as an application would build it) without the translation being timed.
 * `evaluate` is the timed call: one flag evaluation for one user, returning the variant served.
 */
export interface Engine<Context> {
  /** `switchboard`, `baseline`, or the peer's npm package name. */
  id: string;
  /** The package whose version is reported; absent for the hand-written baseline. */
  packageName?: string;
  /** The exact call timed, for the table's readers. */
  call: string;
  contextOf(user: User): Context;
  evaluate(context: Context): string | Promise<string>;
  /** Releases timers and handles so that the process can exit. */
  close?(): void | Promise<void>;
}

/** An engine whose `evaluate` returns the value itself; timed without `await`. */
export interface SyncEngine<Context> extends Engine<Context> {
  kind: 'sync';
  evaluate(context: Context): string;
}

/** An engine whose `evaluate` returns a promise; timed with one `await` per evaluation, as callers use it. */
export interface AsyncEngine<Context> extends Engine<Context> {
  kind: 'async';
  evaluate(context: Context): Promise<string>;
}

export type AnyEngine = SyncEngine<unknown> | AsyncEngine<unknown>;
