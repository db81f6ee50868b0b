import type { Executor } from '../../db/store-helpers.js';

/** One entry of the audit log: who changed what, when, and the resource before and after. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  resourceType: string;
  resourceKey: string;
  project: string | null;
  environment: string | null;
  flag: string | null;
  before: unknown;
  after: unknown;
}

/** What a change records; the store adds the id. */
export type NewAuditEntry = Omit<AuditEntry, 'id'>;

/** Which entries to read, newest first. */
export interface AuditQuery {
  project?: string | undefined;
  flag?: string | undefined;
  actor?: string | undefined;
  action?: string | undefined;
  /** ISO-8601, inclusive. */
  from?: string | undefined;
  /** ISO-8601, exclusive. */
  to?: string | undefined;
  /** Entries with an id below this (the previous page's `nextCursor`). */
  before?: number | undefined;
  limit: number;
}

/**
 * The audit log. Implementations MUST be append-only (no update or delete, enforced by the database as
 * well), MUST write an entry with the executor of the change it records so both commit together, and
 * MUST return entries newest first.
 */
export interface AuditStore {
  append(tx: Executor, entry: NewAuditEntry): Promise<void>;
  list(query: AuditQuery): Promise<AuditEntry[]>;
}
