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
  {
    version: 2,
    name: 'key hierarchy, knowledge bases under row-level security, agent memory',
    sql: `
      -- Data keys wrapped by their parent (a tenant key by the master keyring, a document key by
      -- its tenant key). Deleting a row destroys the key and, by cascade, every key under it:
      -- crypto-shredding.
      CREATE TABLE data_keys (
        id text PRIMARY KEY,
        parent_id text REFERENCES data_keys (id) ON DELETE CASCADE,
        kind text NOT NULL,
        context text NOT NULL,
        wrapped bytea NOT NULL,
        master_version text,
        created_at timestamptz NOT NULL DEFAULT now(),
        rewrapped_at timestamptz
      );
      CREATE INDEX data_keys_parent ON data_keys (parent_id);
      CREATE INDEX data_keys_master ON data_keys (master_version) WHERE parent_id IS NULL;

      CREATE EXTENSION IF NOT EXISTS vector SCHEMA public;

      CREATE TABLE kb_documents (
        id text PRIMARY KEY,
        tenant text NOT NULL,
        kb text NOT NULL,
        source text NOT NULL,
        sensitivity_level integer NOT NULL,
        owner_team text NOT NULL DEFAULT '',
        content_digest text NOT NULL,
        chunks integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant, kb, source)
      );
      -- Text, headings and titles live only in the ciphertext; the lexemes are keyed hashes.
      CREATE TABLE kb_chunks (
        id text PRIMARY KEY,
        document_id text NOT NULL REFERENCES kb_documents (id) ON DELETE CASCADE,
        tenant text NOT NULL,
        kb text NOT NULL,
        ord integer NOT NULL,
        sensitivity_level integer NOT NULL,
        owner_team text NOT NULL DEFAULT '',
        embedding public.vector(256) NOT NULL,
        lexemes tsvector NOT NULL,
        ciphertext bytea NOT NULL
      );
      CREATE INDEX kb_chunks_document ON kb_chunks (document_id);
      CREATE INDEX kb_chunks_kb ON kb_chunks (tenant, kb);
      CREATE INDEX kb_chunks_embedding ON kb_chunks USING hnsw (embedding public.vector_cosine_ops);
      CREATE INDEX kb_chunks_lexemes ON kb_chunks USING gin (lexemes);

      CREATE TABLE agent_memory (
        tenant text NOT NULL,
        agent_id text NOT NULL,
        name text NOT NULL,
        ciphertext bytea NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant, agent_id, name)
      );

      -- Retrieval runs as this role, never as the owner. Roles are cluster-wide: another schema or
      -- database may have created it already.
      DO $$ BEGIN
        CREATE ROLE warden_retriever NOLOGIN;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$;
      DO $$ BEGIN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO warden_retriever', current_schema());
        EXECUTE format('GRANT warden_retriever TO %I', current_user);
      EXCEPTION WHEN insufficient_privilege OR duplicate_object THEN NULL;
      END $$;
      GRANT SELECT ON kb_documents, kb_chunks TO warden_retriever;

      -- A row is visible when the caller's clearance reaches its sensitivity and, from
      -- confidential up, the caller is in the owning team (need to know). The settings are set
      -- per transaction by Warden; a session without them sees nothing.
      CREATE FUNCTION warden_may_read(level integer, owner text) RETURNS boolean
        LANGUAGE sql STABLE AS $fn$
          SELECT level <= coalesce(nullif(current_setting('warden.clearance', true), '')::integer, 0)
            AND (level < 3 OR owner = ''
                 OR owner = ANY (string_to_array(coalesce(current_setting('warden.teams', true), ''), ',')))
        $fn$;
      ALTER TABLE kb_documents ENABLE ROW LEVEL SECURITY;
      ALTER TABLE kb_documents FORCE ROW LEVEL SECURITY;
      ALTER TABLE kb_chunks ENABLE ROW LEVEL SECURITY;
      ALTER TABLE kb_chunks FORCE ROW LEVEL SECURITY;
      CREATE POLICY kb_documents_read ON kb_documents FOR SELECT TO warden_retriever
        USING (warden_may_read(sensitivity_level, owner_team));
      CREATE POLICY kb_chunks_read ON kb_chunks FOR SELECT TO warden_retriever
        USING (warden_may_read(sensitivity_level, owner_team));
      -- The owner (who ran this migration) ingests and deletes; FORCE would otherwise bind it too.
      CREATE POLICY kb_documents_owner ON kb_documents TO CURRENT_USER USING (true) WITH CHECK (true);
      CREATE POLICY kb_chunks_owner ON kb_chunks TO CURRENT_USER USING (true) WITH CHECK (true);
    `,
  },
  {
    version: 3,
    name: 'human approvals: requests bound to action digests, votes, approver keys',
    sql: `
      -- A parked action waiting for humans. Bound to the digest of the exact action and to the
      -- policy version that asked; single use (approved -> consumed, once).
      CREATE TABLE approval_requests (
        id text PRIMARY KEY,
        agent_id text NOT NULL,
        verb text NOT NULL,
        resource text NOT NULL,
        action_digest text NOT NULL,
        args_digest text,
        policy_version text NOT NULL,
        policies text NOT NULL DEFAULT '[]',
        reason text,
        required_approvals integer NOT NULL CHECK (required_approvals BETWEEN 1 AND 10),
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'cancelled', 'consumed')),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        decided_at timestamptz,
        consumed_at timestamptz,
        session_id text,
        risk integer
      );
      -- One pending request per action and policy version: resubmitting finds it instead of asking again.
      CREATE UNIQUE INDEX approval_requests_one_pending ON approval_requests (action_digest, policy_version)
        WHERE status = 'pending';
      CREATE INDEX approval_requests_action ON approval_requests (action_digest, policy_version, status);
      CREATE INDEX approval_requests_status ON approval_requests (status, expires_at);
      CREATE INDEX approval_requests_agent ON approval_requests (agent_id, status);
      -- One vote per approver and request: two approvals are two distinct people.
      CREATE TABLE approval_votes (
        request_id text NOT NULL REFERENCES approval_requests (id) ON DELETE CASCADE,
        approver_id text NOT NULL,
        vote text NOT NULL CHECK (vote IN ('approve', 'deny')),
        at timestamptz NOT NULL,
        comment text,
        PRIMARY KEY (request_id, approver_id)
      );
      -- Approver API keys (wdn_apr_…), stored as scrypt hashes like agent keys, in their own table:
      -- an agent key can never authenticate as an approver.
      CREATE TABLE approver_keys (
        id text PRIMARY KEY,
        approver_id text NOT NULL,
        hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      CREATE INDEX approver_keys_approver ON approver_keys (approver_id);
    `,
  },
  {
    version: 4,
    name: 'anomaly detection: persisted baselines and alert history',
    sql: `
      -- One row per agent: its series' baselines as JSON, so a restart keeps what normal looks like.
      CREATE TABLE anomaly_state (
        agent_id text PRIMARY KEY,
        state text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      -- Every alert notice: an incident's open and close share its id.
      CREATE TABLE anomaly_alerts (
        id text NOT NULL,
        state text NOT NULL CHECK (state IN ('open', 'closed')),
        agent_id text NOT NULL,
        series text NOT NULL,
        at timestamptz NOT NULL,
        opened_at timestamptz NOT NULL,
        score double precision,
        body text NOT NULL,
        PRIMARY KEY (id, state)
      );
      CREATE INDEX anomaly_alerts_agent ON anomaly_alerts (agent_id, at);
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
