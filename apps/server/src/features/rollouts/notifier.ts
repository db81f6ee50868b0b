/** What a rollout tells the outside world about (webhooks, chat): the decisions people act on. */
export type RolloutNotificationType =
  | 'rollout.advanced'
  | 'rollout.held'
  | 'rollout.rolled_back'
  | 'rollout.completed'
  | 'rollout.paused'
  | 'rollout.resumed';

/** One notification: what happened to which flag's rollout, when, and its figures. */
export interface RolloutNotification {
  type: RolloutNotificationType;
  project: string;
  environment: string;
  flag: string;
  /** ISO-8601, from the server's clock. */
  at: string;
  /** The plan id, the stage, the reason and the figures the decision was made on. */
  data: Record<string, unknown>;
}

/**
 * Where rollouts send their notifications. Called after the decision is committed, once per decision
 * (a hold is notified when it starts or its reason changes, not on every tick). Implementations MUST
 * NOT throw and MUST NOT block: deliver in the background (retries are theirs).
 */
export interface Notifier {
  notify(event: RolloutNotification): void;
}

/** Tells no one: the default until webhooks are wired. */
export const NO_NOTIFIER: Notifier = Object.freeze({ notify() {} });
