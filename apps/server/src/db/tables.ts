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
}
