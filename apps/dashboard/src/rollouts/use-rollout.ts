import { useCallback } from 'react';
import { ApiError } from '../api/api-error.js';
import type { PolicyView } from '../api/api-types.js';
import { useApi } from '../session/session-context.js';
import { type Resource, useResource } from '../ui/use-resource.js';
import { isLive } from './rollout-model.js';
import type { PlanView, TimelineEntry } from './rollout-types.js';
import { usePolling } from './use-polling.js';

/** How often a live plan is read again: the scheduler and other people move it meanwhile. */
export const PLAN_POLL_INTERVAL_MS = 3_000;

/** A plan by id, or a flag's live (else latest) plan in an environment. */
export type PlanAddress = { id: string } | { project: string; flag: string; environment: string };

/** The API path of a plan (its actions and timeline hang below it). */
export function planPath(address: PlanAddress): string {
  return 'id' in address
    ? `/api/v1/rollouts/${encodeURIComponent(address.id)}`
    : `/api/v1/flags/${encodeURIComponent(address.flag)}/environments/${encodeURIComponent(address.environment)}/rollout`;
}

/** The plan, its timeline and the flag's policy in the environment, followed while the plan is live. */
export interface RolloutResources {
  /** Undefined data with a 404 error: the flag has no rollout in the environment. */
  plan: Resource<PlanView>;
  timeline: Resource<{ items: TimelineEntry[] }>;
  policy: Resource<PolicyView>;
  /** Reads the plan and its timeline again. */
  reload: () => void;
}

/** Whether an error says there is no such plan (or no plan of the flag there). */
export function isMissing(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

/**
 * Loads a plan with its timeline (by the plan's id once known, so a flag's next plan does not replace
 * the one shown) and the policy it is judged by, and polls them every few seconds while it is live.
 */
export function useRollout(address: PlanAddress, project: string): RolloutResources {
  const api = useApi();
  const key = JSON.stringify(address);
  const plan = useResource(`plan:${key}`, (signal) =>
    api.get<PlanView>(planPath(address), { query: 'id' in address ? {} : { project }, signal }),
  );
  const id = plan.data?.id;
  const timeline = useResource(id === undefined ? null : `timeline:${id}`, (signal) =>
    api.get<{ items: TimelineEntry[] }>(`/api/v1/rollouts/${encodeURIComponent(id ?? '')}/timeline`, {
      signal,
    }),
  );
  const flag = plan.data?.flag;
  const environment = plan.data?.environment;
  const policy = useResource(
    flag === undefined || environment === undefined ? null : `policy:${project}/${flag}/${environment}`,
    (signal) =>
      api.get<PolicyView>(
        `/api/v1/flags/${encodeURIComponent(flag ?? '')}/environments/${encodeURIComponent(environment ?? '')}/policy`,
        { query: { project }, signal },
      ),
  );
  const reloadPlan = plan.reload;
  const reloadTimeline = timeline.reload;
  const reload = useCallback(() => {
    reloadPlan();
    reloadTimeline();
  }, [reloadPlan, reloadTimeline]);
  usePolling(reload, PLAN_POLL_INTERVAL_MS, plan.data !== undefined && isLive(plan.data.status));
  return { plan, timeline, policy, reload };
}
