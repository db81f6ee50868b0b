import type { Kysely } from 'kysely';
import { migrateToLatest } from '../src/db/migrations.js';
import type { Tables } from '../src/db/tables.js';
import { SqlApiKeyStore } from '../src/features/api-keys/sql-api-key-store.js';
import { SqlAuditStore } from '../src/features/audit/sql-audit-store.js';
import { SqlEventStore } from '../src/features/events/sql-event-store.js';
import { SqlFlagStore } from '../src/features/flags/sql-flag-store.js';
import { SqlProjectStore } from '../src/features/projects/sql-project-store.js';
import { describeApiKeyStore } from './contracts/api-key-store-contract.js';
import { describeAuditStore } from './contracts/audit-store-contract.js';
import { describeEventStore } from './contracts/event-store-contract.js';
import { describeFlagStore } from './contracts/flag-store-contract.js';
import { describeProjectStore } from './contracts/project-store-contract.js';
import type { StoreFactory } from './contracts/store-contract-support.js';
import { DIALECTS, openTestDatabase } from './harness.js';

for (const dialect of DIALECTS) {
  /** A fresh migrated store per test: in memory on SQLite, in a schema of its own (dropped on close) on PostgreSQL. */
  const sqlStore =
    <S>(make: (db: Kysely<Tables>) => S): StoreFactory<S> =>
    async () => {
      const database = await openTestDatabase(dialect);
      await migrateToLatest(database.db as never, dialect);
      return { store: make(database.db), db: database.db, close: () => database.close() };
    };
  const options = { concurrentTransactions: dialect === 'postgres' };

  describeProjectStore(
    `SqlProjectStore on ${dialect}`,
    sqlStore((db) => new SqlProjectStore(db)),
    options,
  );
  describeFlagStore(
    `SqlFlagStore on ${dialect}`,
    sqlStore((db) => new SqlFlagStore(db)),
    options,
  );
  describeApiKeyStore(
    `SqlApiKeyStore on ${dialect}`,
    sqlStore((db) => new SqlApiKeyStore(db)),
    options,
  );
  describeAuditStore(
    `SqlAuditStore on ${dialect}`,
    sqlStore((db) => new SqlAuditStore(db)),
    options,
  );
  describeEventStore(
    `SqlEventStore on ${dialect}`,
    sqlStore((db) => new SqlEventStore(db)),
    options,
  );
}
