import type { SqlClient } from './sql-client.js';

/**
 * The one set of migrations, run unchanged on PGlite and PostgreSQL. Append only: a released
 * migration is never edited.
 */
export const MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'agents, keys and the audit ledger',
    sql: `
      CREATE TABLE agent_state (
        agent_id text PRIMARY KEY,
        suspended boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE api_keys (
        id text PRIMARY KEY,
        agent_id text NOT NULL,
        hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      CREATE INDEX api_keys_agent ON api_keys (agent_id);
      CREATE TABLE audit_ledger (
        seq bigint PRIMARY KEY,
        ts timestamptz NOT NULL,
        body text NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL
      );
      CREATE TABLE audit_checkpoints (
        seq bigint PRIMARY KEY,
        hash text NOT NULL,
        ts timestamptz NOT NULL,
        key_id text NOT NULL,
        signature text NOT NULL
      );
      -- Append only by construction; the hash chain still catches whoever drops this trigger.
      CREATE FUNCTION audit_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit ledger is append-only';
      END $$;
      CREATE TRIGGER audit_ledger_append_only BEFORE UPDATE OR DELETE ON audit_ledger
        FOR EACH ROW EXECUTE FUNCTION audit_ledger_append_only();
    `,
  },
];

/** A lock id shared by every Warden process on one database, so migrations run once. */
const MIGRATION_LOCK = 72_6564_01;

export async function migrate(db: SqlClient): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    let count = 0;
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      count++;
    }
    return count;
  });
}
