import { randomBytes } from 'node:crypto';
import { openPglite } from '../../src/backends/sql/pglite-client.js';
import { openPostgres } from '../../src/backends/sql/postgres-client.js';
import { migrate } from '../../src/backends/sql/migrations.js';
import type { SqlClient } from '../../src/backends/sql/sql-client.js';

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  /** A fresh, migrated database (PostgreSQL: its own schema, dropped by `drop`). */
  open(): Promise<{ db: SqlClient; drop(): Promise<void>; reopen?: () => SqlClient }>;
}

/** Empties every table but the migration record, so one database serves a whole suite. */
export async function resetDatabase(db: SqlClient): Promise<void> {
  await db.exec(
    'TRUNCATE agent_state, api_keys, audit_ledger, audit_checkpoints, kb_documents, kb_chunks, agent_memory, data_keys, approval_requests, approval_votes, approver_keys, anomaly_state, anomaly_alerts',
  );
}

const url = process.env.WARDEN_TEST_DATABASE_URL;
if (!url) console.warn('WARDEN_TEST_DATABASE_URL is not set: the storage and ledger suites run on PGlite only (PostgreSQL skipped)');

/** Every backend the contract suites run on: PGlite always, PostgreSQL when its URL is set. */
export const databases: TestDatabase[] = [
  {
    name: 'pglite',
    async open() {
      const db = await openPglite();
      await migrate(db);
      return { db, drop: () => db.close() };
    },
  },
  ...(url
    ? [
        {
          name: 'postgres' as const,
          async open() {
            const schema = `warden_test_${randomBytes(6).toString('hex')}`;
            const admin = openPostgres(url, { max: 1 });
            await admin.exec(`CREATE SCHEMA ${schema}`);
            const opened: SqlClient[] = [];
            const connect = () => {
              const c = openPostgres(url, { schema, max: 4 });
              opened.push(c);
              return c;
            };
            const db = connect();
            await migrate(db);
            return {
              db,
              reopen: connect,
              async drop() {
                for (const c of opened) await c.close().catch(() => {});
                await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
                await admin.close();
              },
            };
          },
        },
      ]
    : []),
];
