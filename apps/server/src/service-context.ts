import type { ChangeBus } from './change-bus.js';
import type { Database } from './db/database.js';
import type { AuditStore } from './features/audit/audit-store.js';

/** What every service is built with; createApp makes one and hands it to each slice. */
export interface ServiceContext {
  database: Database;
  audit: AuditStore;
  bus: ChangeBus;
  /** The time; injected so tests (and the rollout scheduler's simulations) control it. */
  clock: () => Date;
}

/** Who is making a change, as recorded in the audit log. */
export type Actor = string;
