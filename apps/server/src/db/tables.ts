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
}
