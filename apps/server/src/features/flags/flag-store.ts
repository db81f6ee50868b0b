import type { FlagShadow, Prerequisite, Rule, Serve, Target, Variant } from '@switchboard/core';
import type { Executor } from '../../db/store-helpers.js';

/** A flag's definition, shared by its environments. */
export interface FlagRecord {
  id: string;
  projectId: string;
  key: string;
  name: string;
  description: string;
  kind: string;
  variants: Variant[];
  salt: string;
  tags: string[];
  changeType: string;
  archived: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A flag's configuration in one environment. */
export interface EnvironmentConfig {
  enabled: boolean;
  offVariant: string | null;
  targets: Target[];
  rules: Rule[];
  fallthrough: Serve;
  prerequisites: Prerequisite[];
  retryAfterSeconds: number | null;
  /**
   * The shadow variant and its sample rate, or null. Stores MUST read a configuration written without
   * one (before shadows existed) as null.
   */
  shadow?: FlagShadow | null;
}

/** A configuration with its version; version 0 means never written (the defaults apply). */
export interface VersionedConfig extends EnvironmentConfig {
  shadow: FlagShadow | null;
  version: number;
}

/** Which flags to list: ordered by key, from after `afterKey`. */
export interface FlagFilter {
  q?: string | undefined;
  tags?: string[] | undefined;
  kind?: string | undefined;
  archived: 'true' | 'false' | 'all';
  afterKey?: string | undefined;
  limit: number;
}

/**
 * Flags and their per-environment configuration. Keys MUST be unique within a project (a duplicate
 * insert fails with a unique violation). Conditional writes (`updateDefinition`, `writeConfig`) MUST
 * apply only when the stored version equals the expected one, MUST increment the version by one, and
 * MUST report whether they applied, so concurrent edits never overwrite each other; a refused write
 * MUST leave the transaction usable (the caller reads what won). The salt MUST
 * never change after insert. Lists MUST be ordered by key.
 */
export interface FlagStore {
  insert(tx: Executor, flag: FlagRecord): Promise<void>;
  find(projectId: string, key: string, tx?: Executor): Promise<FlagRecord | undefined>;
  list(projectId: string, filter: FlagFilter): Promise<FlagRecord[]>;
  /** Every non-archived flag of a project (snapshots, prerequisite checks). */
  listActive(projectId: string, tx?: Executor): Promise<FlagRecord[]>;
  updateDefinition(
    tx: Executor,
    id: string,
    expectedVersion: number,
    changes: Partial<
      Pick<FlagRecord, 'name' | 'description' | 'variants' | 'tags' | 'changeType' | 'archived'>
    >,
    at: string,
  ): Promise<boolean>;
  /** Stored configurations by environment id; environments never written are absent. */
  configs(flagId: string, tx?: Executor): Promise<Map<string, VersionedConfig>>;
  /** Stored configurations of every flag of a project in one environment, by flag id. */
  configsForEnvironment(environmentId: string, tx?: Executor): Promise<Map<string, VersionedConfig>>;
  writeConfig(
    tx: Executor,
    flagId: string,
    environmentId: string,
    expectedVersion: number,
    config: EnvironmentConfig,
    at: string,
  ): Promise<boolean>;
}
