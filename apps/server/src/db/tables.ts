import type { Generated } from 'kysely';

/**
 * The tables, as both dialects store them. JSON documents are TEXT (parsed by the stores), times are
 * ISO-8601 UTC TEXT (so they sort as strings in both), and booleans are 0/1 integers.
 */
export interface Tables {
  projects: {
    id: string;
    key: string;
    name: string;
    created_at: string;
  };
  environments: {
    id: string;
    project_id: string;
    key: string;
    name: string;
    /** Order within the project (development, staging, production...). */
    position: number;
    /** Increments with every change that alters this environment's snapshot. */
    version: number;
    created_at: string;
  };
  flags: {
    id: string;
    project_id: string;
    key: string;
    name: string;
    description: string;
    kind: string;
    variants: string;
    salt: string;
    tags: string;
    change_type: string;
    archived: number;
    version: number;
    created_at: string;
    updated_at: string;
  };
  flag_environments: {
    flag_id: string;
    environment_id: string;
    /** The FlagEnvironment document without its version. */
    config: string;
    version: number;
    updated_at: string;
  };
  segments: {
    id: string;
    project_id: string;
    key: string;
    name: string;
    description: string;
    included: string;
    excluded: string;
    clauses: string;
    version: number;
    created_at: string;
    updated_at: string;
  };
  api_keys: {
    id: string;
    name: string;
    kind: string;
    project_id: string | null;
    environment_id: string | null;
    /** SHA-256 of the key, hex: the key itself is never stored. */
    hash: string;
    /** The first characters of the key, to recognise it in lists. */
    prefix: string;
    created_at: string;
    created_by: string;
    last_used_at: string | null;
    revoked_at: string | null;
  };
  audit_log: {
    id: Generated<number>;
    at: string;
    actor: string;
    action: string;
    resource_type: string;
    resource_key: string;
    project_key: string | null;
    environment_key: string | null;
    flag_key: string | null;
    before: string | null;
    after: string | null;
  };
  /**
   * One accepted `POST /api/v1/events` request: its idempotency key (unique per environment), the
   * response it got (replays get it again), and its accepted events as a JSON array, kept for export
   * until the retention purges the row.
   */
  event_batches: {
    id: Generated<number>;
    environment_id: string;
    idempotency_key: string;
    received_at: string;
    /** `{ accepted, rejected }` as first answered. */
    response: string;
    /**
     * The accepted events with their server-filled fields (`ts`, computed `costUsd`): a JSON array,
     * deflated (raw DEFLATE, a tenth of the size), since it is most of what ingestion writes.
     */
    events: Uint8Array | ArrayBuffer;
    /** How many events `events` holds. */
    event_count: number;
  };
  /** The first sighting of each unit per flag and variant of an environment (exact unique units). */
  event_units: {
    environment_id: string;
    flag_key: string;
    variant_key: string;
    unit: string;
    /** The UTC hour (ISO-8601) of the event that first named the unit. */
    first_hour: string;
  };
  /** Aggregates per environment × flag × variant × metric × UTC hour; results read only these. */
  event_rollups: {
    environment_id: string;
    flag_key: string;
    /** ISO-8601 start of the UTC hour. */
    hour: string;
    variant_key: string;
    metric: string;
    count: number;
    sum: number;
    sum_squares: number;
    /** A DDSketch in its protobuf encoding (latency metrics only); libsql reads blobs as ArrayBuffers. */
    sketch: Uint8Array | ArrayBuffer | null;
  };
  /** Price overrides edited in the server's settings; they win over the built-in price table. */
  model_prices: {
    provider: string;
    model: string;
    input_per_million: number;
    output_per_million: number;
    updated_at: string;
  };
  /** A flag's promotion policy in one environment (absent: the defaults). */
  promotion_policies: {
    environment_id: string;
    flag_key: string;
    control_variant: string | null;
    /** JSON: the policy fields set; the others take their defaults. */
    settings: string;
    version: number;
    updated_at: string;
  };
  /** Rollout plans (DESIGN.md §6); see RolloutStore. */
  rollout_plans: {
    id: string;
    project_id: string;
    environment_id: string;
    flag_key: string;
    candidate_variant: string;
    control_variant: string;
    /** JSON: the stages, in order. */
    stages: string;
    /** JSON: the plan's own policy settings; null: the flag's promotion policy. */
    policy: string | null;
    cost_cap_per_day_usd: number | null;
    /** The change type the plan was made for; null on plans made before migration 0009. */
    change_type: string | null;
    status: string;
    stage_index: number;
    stage_started_at: string;
    reason: string | null;
    version: number;
    created_at: string;
    created_by: string;
    updated_at: string;
    /** `environment_id/flag_key` while active or paused, else null (unique: one live plan per flag). */
    live_key: string | null;
  };
  /** Every decision on a plan, with its figures; consecutive identical holds share one row. */
  rollout_timeline: {
    id: Generated<number>;
    plan_id: string;
    at: string;
    last_at: string;
    repeats: number;
    action: string;
    actor: string;
    stage_index: number;
    /** JSON: the stage as it was. */
    stage: string;
    verdict: string | null;
    /** What a hold waits for (its blocking checks): consecutive holds with the same cause share a row. */
    cause: string | null;
    reason: string;
    /** JSON: the figures the decision was made on. */
    figures: string | null;
  };
  /** Webhooks of a project (see WebhookStore); the secret as the WebhookSecretBox keeps it. */
  webhooks: {
    id: string;
    project_id: string;
    name: string;
    url: string;
    /** `v1:` and the secret sealed with SWITCHBOARD_ENCRYPTION_KEY, or `plain:` and the secret. */
    secret: string;
    /** JSON: the event types and families subscribed to. */
    events: string;
    flag_key: string | null;
    environment_key: string | null;
    format: string;
    enabled: number;
    /** The newest audit entry when the webhook was created: older flag changes are never sent to it. */
    since_audit_id: number;
    version: number;
    created_at: string;
    created_by: string;
    updated_at: string;
  };
  /** The delivery queue and log: one row per webhook and event, from queued to succeeded or failed. */
  webhook_deliveries: {
    /** The order deliveries were queued in. */
    seq: Generated<number>;
    id: string;
    webhook_id: string;
    event_id: string;
    event_type: string;
    /** The exact body every attempt sends (the signature covers it). */
    body: string;
    /** pending, delivering (claimed until `claimed_until`), succeeded, failed. */
    status: string;
    attempts: number;
    max_attempts: number;
    next_attempt_at: string | null;
    claimed_until: string | null;
    last_status_code: number | null;
    last_error: string | null;
    last_duration_ms: number | null;
    created_at: string;
    finished_at: string | null;
  };
  /** Each HTTP attempt of a delivery. */
  webhook_attempts: {
    delivery_id: string;
    attempt: number;
    at: string;
    status_code: number | null;
    duration_ms: number;
    error: string | null;
    /** The start of the receiver's answer. */
    response: string | null;
  };
  /** Alert rules on a flag's figures in one environment, with their evaluation state (see AlertStore). */
  alert_rules: {
    id: string;
    project_id: string;
    environment_id: string;
    flag_key: string;
    name: string;
    metric: string;
    threshold: number;
    window_minutes: number;
    for_minutes: number;
    min_sample: number;
    variant_key: string | null;
    action: string;
    enabled: number;
    /** inactive, pending or firing. */
    state: string;
    state_since: string | null;
    /** Increments with every transition: one evaluator applies each. */
    state_version: number;
    last_value: number | null;
    last_variant: string | null;
    last_evaluated_at: string | null;
    last_error: string | null;
    version: number;
    created_at: string;
    created_by: string;
    updated_at: string;
  };
  /** When each rule fired and resolved, and what its rollbacks did. */
  alert_events: {
    id: Generated<number>;
    rule_id: string;
    /** fired, resolved, rolled_back, rollback_failed. */
    kind: string;
    at: string;
    value: number | null;
    variant_key: string | null;
    /** JSON: the reason, the sample, the threshold... */
    details: string;
  };
  /** Changes of a flag in one environment scheduled for a set time (see ScheduleStore). */
  scheduled_changes: {
    id: string;
    project_id: string;
    environment_id: string;
    flag_key: string;
    /** enable, disable or fallthrough. */
    action: string;
    /** JSON: the serve of a fallthrough change. */
    fallthrough: string | null;
    run_at: string;
    /** pending, running, applied, failed, cancelled. */
    status: string;
    created_version: number;
    applied_version: number | null;
    result: string | null;
    claims: number;
    claimed_at: string | null;
    finished_at: string | null;
    created_at: string;
    created_by: string;
  };
}
