import type { Queryable, SqlClient } from '../backends/sql/sql-client.js';

/** Who is reading: row-level security compares these with each chunk's sensitivity and owner team. */
export interface Reader {
  agentId: string;
  /** 1 public … 4 restricted. */
  clearance: number;
  teams: readonly string[];
}

export interface StoredDocument {
  id: string;
  tenant: string;
  kb: string;
  source: string;
  sensitivityLevel: number;
  ownerTeam: string;
  contentDigest: string;
}

export interface StoredChunk {
  id: string;
  ord: number;
  embedding: Float32Array;
  /** Keyed lexemes (see lexemes.ts): the words of the chunk never reach the database in clear. */
  lexemes: string;
  ciphertext: Buffer;
}

export interface ChunkHit {
  id: string;
  documentId: string;
  source: string;
  ord: number;
  sensitivityLevel: number;
  ownerTeam: string;
  ciphertext: Buffer;
  /** Reciprocal rank fusion of the vector and the full-text ranking. */
  score: number;
}

export interface SearchQuery {
  tenant: string;
  kb: string;
  embedding: Float32Array;
  /** The query's keyed lexemes (lexemes.ts `keyedTerms`); empty for none. */
  terms: readonly string[];
  k: number;
  /** How many candidates each ranking contributes before fusion. */
  candidates?: number;
}

/** The role retrieval runs as (created by migration 2); never the owner, never a superuser. */
export const RETRIEVER_ROLE = 'warden_retriever';
/** Reciprocal rank fusion's damping constant (Cormack et al. use 60). */
const RRF_K = 60;
const INSERT_BATCH = 200;

/**
 * Lexical candidates: chunks holding any of the query's selective terms, best ts_rank first. Run
 * as the owner with the reader's settings in force and the same visibility function the
 * row-level security policy applies, because under RLS PostgreSQL will not use the GIN index for
 * `@@` (its function is not marked leakproof) and scans every row instead. It nominates ids
 * only; the chunks themselves are read under the restricted role, where RLS has the last word.
 */
const LEXICAL_SQL = `SELECT id FROM (
   SELECT id, ts_rank(lexemes, q) AS rank FROM kb_chunks, to_tsquery('simple', $3) q
   WHERE tenant = $1 AND kb = $2 AND lexemes @@ q AND warden_may_read(sensitivity_level, owner_team)
   ORDER BY rank DESC, id LIMIT $4) t`;

/**
 * A term found in more chunks than this ranks little and costs a scan of them all: it is left to
 * the vector half (which sees words too). What is frequent comes from PostgreSQL's own statistics
 * on the column (`pg_stats.most_common_elems`), so nothing extra is kept up to date at ingest.
 */
const MAX_TERM_ROWS = 150;
const STATS_TTL_MS = 60_000;

/** The lexical candidates for a query, from its selective terms only; none when every term is common. */
export async function lexicalCandidates(tx: Queryable, q: SearchQuery, candidates: number, common: ReadonlySet<string> = new Set()): Promise<string[]> {
  const selective = q.terms.filter((t) => !common.has(t));
  if (!selective.length) return [];
  const { rows } = await tx.query<{ id: string }>(LEXICAL_SQL, [q.tenant, q.kb, selective.join(' | '), candidates]);
  return rows.map((r) => r.id);
}

/**
 * The hybrid top-k under row-level security: the HNSW cosine ranking and the lexical candidates
 * ($4, best first), fused by reciprocal rank. $1 tenant, $2 kb, $3 query vector, $5 candidates, $6 k.
 */
export const FUSED_SQL = `WITH vec AS (
   SELECT id, row_number() OVER (ORDER BY distance) AS r FROM (
     SELECT id, embedding <=> $3::vector AS distance FROM kb_chunks
     WHERE tenant = $1 AND kb = $2 ORDER BY embedding <=> $3::vector LIMIT $5) v
 ), txt AS (
   SELECT id, r FROM unnest($4::text[]) WITH ORDINALITY AS t(id, r)
 ), fused AS (
   SELECT id, sum(1.0 / (${RRF_K} + r)) AS score FROM (SELECT * FROM vec UNION ALL SELECT * FROM txt) u GROUP BY id
 )
 SELECT c.id, c.document_id, d.source, c.ord, c.sensitivity_level, c.owner_team, c.ciphertext, f.score::float8 AS score
 FROM fused f JOIN kb_chunks c ON c.id = f.id JOIN kb_documents d ON d.id = c.document_id
 ORDER BY f.score DESC, c.id LIMIT $6`;

/** Sets the reader's identity for this transaction only (RLS reads it; so does `lexicalCandidates`). */
export async function setReader(tx: Queryable, reader: Reader): Promise<void> {
  await tx.query("SELECT set_config('warden.agent', $1, true), set_config('warden.clearance', $2, true), set_config('warden.teams', $3, true)", [
    reader.agentId,
    String(reader.clearance),
    reader.teams.join(','),
  ]);
}

export interface HitRow {
  id: string;
  document_id: string;
  source: string;
  ord: number;
  sensitivity_level: number;
  owner_team: string;
  ciphertext: Uint8Array;
  score: number;
}

export const vectorLiteral = (v: Float32Array): string => `[${Array.from(v, (x) => (Number.isFinite(x) ? x : 0)).join(',')}]`;

/** Knowledge-base rows: written by the owner, read only under row-level security. */
export class KnowledgeStore {
  private common: { terms: Set<string>; at: number } | undefined;

  constructor(
    private readonly db: SqlClient,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Keyed terms too common to be worth a lexical lookup (see MAX_TERM_ROWS), from the planner's statistics. */
  async commonTerms(): Promise<Set<string>> {
    if (this.common && this.clock() - this.common.at < STATS_TTL_MS) return this.common.terms;
    const { rows } = await this.db.query<{ elems: string | null; freqs: number[] | null; rows: number }>(
      `SELECT s.most_common_elems::text AS elems, s.most_common_elem_freqs AS freqs, c.reltuples::float8 AS rows
       FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename AND c.relnamespace = to_regnamespace(s.schemaname)
       WHERE s.tablename = 'kb_chunks' AND s.attname = 'lexemes' AND s.schemaname = current_schema()`,
    );
    const terms = new Set<string>();
    const row = rows[0];
    if (row?.elems && row.freqs) {
      // Keyed lexemes are [a-z0-9] only, so the array's text form needs no unquoting.
      row.elems.slice(1, -1).split(',').forEach((term, i) => {
        if ((row.freqs![i] ?? 0) * row.rows > MAX_TERM_ROWS) terms.add(term);
      });
    }
    this.common = { terms, at: this.clock() };
    return terms;
  }

  /** Refreshes the planner's statistics after an ingest, so common terms and plans follow the data. */
  async analyze(): Promise<void> {
    await this.db.exec('ANALYZE kb_chunks');
    this.common = undefined;
  }

  async documentBySource(tenant: string, kb: string, source: string): Promise<{ id: string; contentDigest: string } | undefined> {
    const { rows } = await this.db.query<{ id: string; content_digest: string }>(
      'SELECT id, content_digest FROM kb_documents WHERE tenant = $1 AND kb = $2 AND source = $3',
      [tenant, kb, source],
    );
    return rows[0] ? { id: rows[0].id, contentDigest: rows[0].content_digest } : undefined;
  }

  /** Writes a document and its chunks in one transaction, replacing any earlier version of the same source. */
  async putDocument(doc: StoredDocument, chunks: readonly StoredChunk[]): Promise<{ replaced?: string }> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>('DELETE FROM kb_documents WHERE tenant = $1 AND kb = $2 AND source = $3 RETURNING id', [doc.tenant, doc.kb, doc.source]);
      await tx.query(
        `INSERT INTO kb_documents (id, tenant, kb, source, sensitivity_level, owner_team, content_digest, chunks)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [doc.id, doc.tenant, doc.kb, doc.source, doc.sensitivityLevel, doc.ownerTeam, doc.contentDigest, chunks.length],
      );
      for (let i = 0; i < chunks.length; i += INSERT_BATCH) await insertChunks(tx, doc, chunks.slice(i, i + INSERT_BATCH));
      return rows[0] ? { replaced: rows[0].id } : {};
    });
  }

  async deleteDocument(id: string): Promise<boolean> {
    const { rows } = await this.db.query('DELETE FROM kb_documents WHERE id = $1 RETURNING id', [id]);
    return rows.length > 0;
  }

  async documentIds(filter: { tenant: string; kb?: string }): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `SELECT id FROM kb_documents WHERE tenant = $1 ${filter.kb ? 'AND kb = $2' : ''} ORDER BY id`,
      filter.kb ? [filter.tenant, filter.kb] : [filter.tenant],
    );
    return rows.map((r) => r.id);
  }

  async counts(tenant: string, kb: string): Promise<{ documents: number; chunks: number }> {
    const { rows } = await this.db.query<{ documents: number; chunks: number }>(
      'SELECT count(*)::integer AS documents, coalesce(sum(chunks), 0)::integer AS chunks FROM kb_documents WHERE tenant = $1 AND kb = $2',
      [tenant, kb],
    );
    return rows[0] ?? { documents: 0, chunks: 0 };
  }

  /**
   * Runs `fn` as the restricted role with the reader's identity set for this transaction only.
   * Whatever SQL `fn` issues, the database's policies decide which rows exist for it.
   */
  asReader<T>(reader: Reader, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SET LOCAL ROLE ${RETRIEVER_ROLE}`);
      await setReader(tx, reader);
      return fn(tx);
    });
  }

  /** Hybrid top-k: HNSW cosine ranking and keyed full-text ranking, fused by reciprocal rank, read under RLS. */
  async search(reader: Reader, q: SearchQuery): Promise<ChunkHit[]> {
    const candidates = q.candidates ?? Math.max(40, q.k * 4);
    const common = await this.commonTerms();
    return this.db.transaction(async (tx) => {
      await setReader(tx, reader);
      const lexical = await lexicalCandidates(tx, q, candidates, common);
      await tx.query(`SET LOCAL ROLE ${RETRIEVER_ROLE}`);
      // Rows RLS hides are filtered after the index scan; a wider beam keeps top-k full.
      await tx.query(`SET LOCAL hnsw.ef_search = ${Math.min(1000, candidates * 2)}`);
      const { rows } = await tx.query<HitRow>(FUSED_SQL, [q.tenant, q.kb, vectorLiteral(q.embedding), lexical, candidates, q.k]);
      return rows.map((r) => ({
        id: r.id,
        documentId: r.document_id,
        source: r.source,
        ord: r.ord,
        sensitivityLevel: r.sensitivity_level,
        ownerTeam: r.owner_team,
        ciphertext: Buffer.from(r.ciphertext),
        score: Number(r.score),
      }));
    });
  }
}

async function insertChunks(tx: Queryable, doc: StoredDocument, chunks: readonly StoredChunk[]): Promise<void> {
  if (!chunks.length) return;
  const params: unknown[] = [];
  const values = chunks.map((c) => {
    const base = params.length;
    params.push(c.id, doc.id, doc.tenant, doc.kb, c.ord, doc.sensitivityLevel, doc.ownerTeam, vectorLiteral(c.embedding), c.lexemes, c.ciphertext);
    const p = (i: number) => `$${base + i}`;
    return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}::vector, strip(to_tsvector('simple', ${p(9)})), ${p(10)})`;
  });
  await tx.query(
    `INSERT INTO kb_chunks (id, document_id, tenant, kb, ord, sensitivity_level, owner_team, embedding, lexemes, ciphertext) VALUES ${values.join(', ')}`,
    params,
  );
}
