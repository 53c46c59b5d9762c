/**
 * Knowledge-base retrieval at scale: 100,000 chunks of synthetic handbook text (faker, fixed
 * seed), on PGlite on disk and, when WARDEN_BENCH_DATABASE_URL (or WARDEN_TEST_DATABASE_URL) is
 * set, on PostgreSQL in a schema of its own.
 *
 * - Ingest rate through the real path (`KnowledgeBases.ingest` on markdown files: read, chunk,
 *   embed, keyed lexemes, one ESDK message per chunk under the document's key, `putDocument`).
 *   The full path is too slow to load all 100,000 chunks in a few minutes (HNSW inserts
 *   dominate), so the bulk of the corpus is prepared the same way in this process (real
 *   embeddings, lexemes and ciphertexts under real document keys) and written with
 *   `KnowledgeStore.putDocument`; the last FULL_PATH_CHUNKS chunks then go through `ingest`, into a
 *   knowledge base that already holds the rest, and that is the ingest rate reported.
 * - Top-10 hybrid search, p50/p99, with RLS (`KnowledgeStore.search` as a reader) against the very
 *   same statements (`lexicalCandidates`, then `FUSED_SQL`) run as the owner without `SET LOCAL ROLE`; same queries, interleaved.
 * - The full `retrieve` path (embed the query, keyed query, search, decrypt 10 chunks).
 * - Decryption per chunk with a cached document key, and envelope encryption (ESDK) against plain
 *   node:crypto AES-256-GCM on the same chunks.
 * Targets (issue): under 20 ms p50 embedded with RLS; RLS at most 1.5× over no RLS.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { faker } from '@faker-js/faker';
import { openPglite } from '../src/backends/sql/pglite-client.js';
import { openPostgres } from '../src/backends/sql/postgres-client.js';
import { migrate } from '../src/backends/sql/migrations.js';
import type { SqlClient } from '../src/backends/sql/sql-client.js';
import { KeyHierarchy } from '../src/crypto/key-hierarchy.js';
import { localMasterKeys, type MasterKeys } from '../src/crypto/master-keys.js';
import { decryptWith, encryptWith } from '../src/crypto/envelope.js';
import { documentScope, lexemeScope } from '../src/crypto/scopes.js';
import type { KnowledgeBaseConfig } from '../src/config/schema.js';
import { chunkText } from '../src/knowledge/chunker.js';
import { KnowledgeBases } from '../src/knowledge/knowledge-bases.js';
import { embedLocally, localEmbedder } from '../src/knowledge/local-embedder.js';
import { keyedLexemes, keyedTerms } from '../src/knowledge/lexemes.js';
import { FUSED_SQL, KnowledgeStore, lexicalCandidates, setReader, vectorLiteral, type Reader, type SearchQuery, type StoredChunk, type StoredDocument } from '../src/knowledge/store.js';
import type { Queryable } from '../src/backends/sql/sql-client.js';
import type { BenchOptions } from './run.js';

const DEFAULT_CHUNKS = 100_000;
const QUICK_CHUNKS = 5_000;
const FULL_PATH_CHUNKS = 5_000;
const QUERIES = 200;
const ROUNDS = 2;
const K = 10;
const CRYPTO_SAMPLE = 2_000;
const TENANT = 'acme';
const KB = 'handbook';
const TEAMS = ['support', 'finance', 'hr'] as const;
/** Sees public and internal, and confidential only of its own team: RLS has work to do. */
const READER: Reader = { agentId: 'support-bot', clearance: 3, teams: ['support'] };
const TARGET_P50_MS = 20;
const TARGET_RLS_RATIO = 1.5;

const log = (line: string) => process.stderr.write(`${line}\n`);
const perSecond = (n: number, ms: number) => Math.round((n / ms) * 1000);
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------------------------------------
// The corpus: handbook-like markdown documents with headings and paragraphs.

const TOPICS = [
  'expenses', 'travel', 'onboarding', 'offboarding', 'security', 'passwords', 'laptops', 'holidays', 'parental leave',
  'sick leave', 'salary bands', 'bonuses', 'payroll', 'invoices', 'refunds', 'escalations', 'on-call', 'incidents',
  'customer tickets', 'vendors', 'procurement', 'code review', 'deployments', 'data retention', 'privacy', 'remote work',
];

interface Doc {
  source: string;
  title: string;
  sensitivity: 'public' | 'internal' | 'confidential';
  ownerTeam: string;
  body: string;
  chunks: number;
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function sentence(topic: string): string {
  switch (faker.number.int({ min: 0, max: 3 })) {
    case 0:
      return `${capitalised(faker.hacker.phrase())}`;
    case 1:
      return `${capitalised(faker.word.words({ count: { min: 8, max: 18 } }))} for ${topic}.`;
    case 2:
      return `Contact ${faker.person.fullName()} in ${faker.commerce.department()} before you ${faker.word.verb()} the ${faker.word.noun()}.`;
    default:
      return `${faker.company.catchPhrase()} applies to ${topic} when the ${faker.word.adjective()} ${faker.word.noun()} is ${faker.word.adjective()}.`;
  }
}

function makeDoc(i: number): Doc {
  const topic = faker.helpers.arrayElement(TOPICS);
  const title = `${capitalised(topic)}: ${faker.company.buzzPhrase()}`;
  const sections = Array.from({ length: faker.number.int({ min: 4, max: 9 }) }, () => {
    const heading = `## ${capitalised(faker.word.adjective())} ${faker.word.noun()} and ${topic}`;
    const paragraphs = Array.from({ length: faker.number.int({ min: 2, max: 5 }) }, () =>
      Array.from({ length: faker.number.int({ min: 2, max: 6 }) }, () => sentence(topic)).join(' '),
    );
    return [heading, ...paragraphs].join('\n\n');
  });
  const body = sections.join('\n\n');
  // 60% public or internal, 40% confidential split over three owner teams.
  const roll = faker.number.float({ min: 0, max: 1 });
  const sensitivity = roll < 0.3 ? 'public' : roll < 0.6 ? 'internal' : 'confidential';
  return {
    source: `${String(i).padStart(5, '0')}-${topic.replace(/\W+/g, '-')}.md`,
    title,
    sensitivity,
    ownerTeam: faker.helpers.arrayElement(TEAMS),
    body,
    chunks: chunkText(body).length,
  };
}

const markdownFile = (d: Doc) =>
  `---\ntitle: ${JSON.stringify(d.title)}\nsensitivity: ${d.sensitivity}\nowner_team: ${d.ownerTeam}\n---\n${d.body}\n`;

function makeQuery(): string {
  const topic = faker.helpers.arrayElement(TOPICS);
  switch (faker.number.int({ min: 0, max: 2 })) {
    case 0:
      return `how do I ${faker.word.verb()} the ${faker.word.noun()} for ${topic}`;
    case 1:
      return `${faker.word.adjective()} ${faker.word.noun()} ${topic}`;
    default:
      return `${faker.hacker.noun()} ${faker.word.noun()} policy`;
  }
}

// ---------------------------------------------------------------------------------------------
// Loading.

const LEVEL = { public: 1, internal: 2, confidential: 3 } as const;
const chunkContext = (document: string, chunk: string) => ({ tenant: TENANT, kb: KB, document, chunk });

interface Prepared {
  doc: StoredDocument;
  chunks: StoredChunk[];
}

/** What `KnowledgeBases.ingestFile` does per document, minus reading the file. */
async function prepare(d: Doc, keys: KeyHierarchy, lexemeKey: Buffer): Promise<Prepared> {
  const documentId = randomUUID();
  const docKey = await keys.key(documentScope(TENANT, KB, documentId));
  const chunks: StoredChunk[] = [];
  for (const piece of chunkText(d.body)) {
    const headed = [d.title, piece.heading, piece.text].filter(Boolean).join('\n');
    const id = `${documentId}:${piece.ord}`;
    const payload = Buffer.from(JSON.stringify({ title: d.title, heading: piece.heading, text: piece.text }));
    chunks.push({
      id,
      ord: piece.ord,
      embedding: embedLocally(headed),
      lexemes: keyedLexemes(headed, lexemeKey),
      ciphertext: await encryptWith(docKey.keyring(), payload, chunkContext(documentId, id)),
    });
  }
  const doc: StoredDocument = {
    id: documentId,
    tenant: TENANT,
    kb: KB,
    source: d.source,
    sensitivityLevel: LEVEL[d.sensitivity],
    ownerTeam: d.ownerTeam,
    contentDigest: createHash('sha256').update(d.body).digest('hex'),
  };
  return { doc, chunks };
}

// ---------------------------------------------------------------------------------------------
// Measuring.

function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)) };
};

interface PreparedQuery {
  text: string;
  embedding: Float32Array;
  terms: string[];
}

/** `search`'s parameters, exactly as KnowledgeStore.search derives them for k = 10. */
const CANDIDATES = Math.max(40, K * 4);
const EF_SEARCH = Math.min(1000, CANDIDATES * 2);
const searchQuery = (q: PreparedQuery): SearchQuery => ({ tenant: TENANT, kb: KB, embedding: q.embedding, terms: q.terms, k: K });

/** `search`'s fused statement with its parameters: the lexical candidates are found first, as `search` does. */
async function fusedParams(tx: Queryable, q: PreparedQuery, common: ReadonlySet<string>): Promise<unknown[]> {
  await setReader(tx, READER);
  const lexical = await lexicalCandidates(tx, searchQuery(q), CANDIDATES, common);
  return [TENANT, KB, vectorLiteral(q.embedding), lexical, CANDIDATES, K];
}

/** The same statements as `search`, as the owner: no SET LOCAL ROLE, so no row-level security on the fused read. */
function searchWithoutRls(db: SqlClient, q: PreparedQuery, common: ReadonlySet<string>): Promise<number> {
  return db.transaction(async (tx) => {
    const params = await fusedParams(tx, q, common);
    await tx.query(`SET LOCAL hnsw.ef_search = ${EF_SEARCH}`);
    return (await tx.query(FUSED_SQL, params)).rows.length;
  });
}

/** EXPLAIN (or EXPLAIN ANALYZE) of the fused statement, under the restricted role or as the owner. */
function explainFused(db: SqlClient, q: PreparedQuery, common: ReadonlySet<string>, restricted: boolean, analyse = false): Promise<string[]> {
  return db.transaction(async (tx) => {
    const params = await fusedParams(tx, q, common);
    if (restricted) await tx.query('SET LOCAL ROLE warden_retriever');
    await tx.query(`SET LOCAL hnsw.ef_search = ${EF_SEARCH}`);
    return (await tx.query(`EXPLAIN ${analyse ? 'ANALYZE ' : ''}${FUSED_SQL}`, params)).rows.map((r) => String(Object.values(r)[0]));
  });
}

/** Which access path the vector ranking took, from EXPLAIN of the search statement. */
function planNote(lines: string[]): string {
  const text = lines.join('\n');
  const vector = /Index Scan using kb_chunks_embedding/.test(text)
    ? 'HNSW index scan (kb_chunks_embedding)'
    : /Seq Scan on kb_chunks/.test(text)
      ? 'sequential scan + sort (no HNSW)'
      : /kb_chunks_kb/.test(text)
        ? 'kb_chunks_kb index + sort (no HNSW)'
        : 'other';
  return `vector: ${vector}`;
}

async function explain(db: SqlClient, q: PreparedQuery, common: ReadonlySet<string>): Promise<{ rls: string; owner: string }> {
  return { rls: planNote(await explainFused(db, q, common, true)), owner: planNote(await explainFused(db, q, common, false)) };
}

interface BackendFigures {
  chunks: number;
  documents: number;
  bulk_prepare_us_per_chunk?: number;
  bulk_store_chunks_per_s: number;
  ingest_chunks_per_s: number;
  ingest_chunks_measured: number;
  p50_ms: number;
  p99_ms: number;
  norls_p50_ms: number;
  norls_p99_ms: number;
  rls_ratio: number;
  retrieve_p50_ms: number;
  retrieve_p99_ms: number;
  avg_hits_rls: number;
  avg_hits_norls: number;
  plan_rls: string;
  plan_norls: string;
}

interface Corpus {
  bulk: Doc[];
  fullPath: Doc[];
  dir: string;
  queries: string[];
}

interface KeyRow {
  id: string;
  parent_id: string | null;
  kind: string;
  context: string;
  wrapped: Uint8Array;
  master_version: string | null;
}

/** Rows prepared once (on the first backend), and where the keys they are encrypted under live. */
interface BulkRows {
  rows?: Prepared[];
  keysFrom?: SqlClient;
}

async function copyKeys(from: SqlClient, to: SqlClient): Promise<void> {
  const { rows } = await from.query<KeyRow>('SELECT id, parent_id, kind, context, wrapped, master_version FROM data_keys ORDER BY parent_id IS NOT NULL, id');
  for (const r of rows) {
    await to.query('INSERT INTO data_keys (id, parent_id, kind, context, wrapped, master_version) VALUES ($1, $2, $3, $4, $5, $6)', [
      r.id,
      r.parent_id,
      r.kind,
      r.context,
      Buffer.from(r.wrapped),
      r.master_version,
    ]);
  }
}

async function measureBackend(name: string, db: SqlClient, master: MasterKeys, corpus: Corpus, bulkRows: BulkRows): Promise<BackendFigures> {
  await migrate(db);
  // Another backend prepared the rows: give this one the same keys (same master key file) first.
  if (bulkRows.rows && bulkRows.keysFrom) await copyKeys(bulkRows.keysFrom, db);
  const keys = new KeyHierarchy(db, master);
  const store = new KnowledgeStore(db);
  const lexemeKey = (await keys.key(lexemeScope(TENANT))).secret();

  // 1. The bulk of the corpus, prepared once (the first backend) and stored with putDocument.
  let prepareUs: number | undefined;
  if (!bulkRows.rows) {
    const bulkChunks = corpus.bulk.reduce((n, d) => n + d.chunks, 0);
    log(`${name}: preparing ${bulkChunks} chunks (embed, keyed lexemes, ESDK per chunk)…`);
    const started = performance.now();
    const rows: Prepared[] = [];
    let done = 0;
    let next = 10_000;
    for (const d of corpus.bulk) {
      rows.push(await prepare(d, keys, lexemeKey));
      done += d.chunks;
      if (done >= next) {
        log(`  prepared ${done}/${bulkChunks} (${perSecond(done, performance.now() - started)} chunks/s)`);
        next += 10_000;
      }
    }
    prepareUs = round(((performance.now() - started) * 1000) / Math.max(1, done), 1);
    bulkRows.rows = rows;
  }
  const rows = bulkRows.rows;
  const total = rows.reduce((n, r) => n + r.chunks.length, 0);
  log(`${name}: storing ${total} prepared chunks with putDocument (HNSW and GIN maintained as they go)…`);
  let started = performance.now();
  let stored = 0;
  let next = 10_000;
  for (const r of rows) {
    await store.putDocument(r.doc, r.chunks);
    stored += r.chunks.length;
    if (stored >= next) {
      log(`  stored ${stored}/${total} (${perSecond(stored, performance.now() - started)} chunks/s)`);
      next += 10_000;
    }
  }
  const bulkStore = perSecond(stored, performance.now() - started);

  // 2. The real ingest path for the rest, into a knowledge base that already holds the bulk.
  const kbConfig: KnowledgeBaseConfig = { id: KB, sensitivity: 'internal', tenant: TENANT, sources: [], redact_pii: false, tags: {} };
  const kbs = new KnowledgeBases({ store, keys, embedder: localEmbedder(), bases: [kbConfig], defaultTenant: TENANT });
  log(`${name}: ingesting ${corpus.fullPath.length} documents through KnowledgeBases.ingest…`);
  started = performance.now();
  const report = await kbs.ingest(KB, [corpus.dir]);
  const ingestMs = performance.now() - started;
  if (report.failed.length) throw new Error(`${name}: ingest failed: ${JSON.stringify(report.failed.slice(0, 3))}`);
  const ingestRate = perSecond(report.chunks, ingestMs);
  log(`${name}: ingest ${report.chunks} chunks in ${Math.round(ingestMs)} ms (${ingestRate} chunks/s)`);

  await store.analyze();
  await db.exec('ANALYZE kb_documents');
  const counts = await store.counts(TENANT, KB);

  // 3. Retrieval.
  const queries: PreparedQuery[] = [];
  for (const text of corpus.queries) {
    queries.push({ text, embedding: embedLocally(text), terms: keyedTerms(text, lexemeKey) });
  }
  const common = await store.commonTerms();
  const plans = await explain(db, queries[0]!, common);
  log(`${name}: plan with RLS: ${plans.rls}; without: ${plans.owner}`);
  if (process.env.WARDEN_BENCH_PLANS) {
    // The whole plan, as executed, under RLS (set WARDEN_BENCH_PLANS=1 to see it).
    const analysed = await explainFused(db, queries[0]!, common, true, true);
    log(`${name}: query "${queries[0]!.text}"\n${analysed.join('\n')}`);
  }

  const on = async (q: PreparedQuery) => (await store.search(READER, searchQuery(q))).length;
  const off = (q: PreparedQuery) => searchWithoutRls(db, q, common);
  log(`${name}: warm-up (${queries.length} queries each way)…`);
  for (const q of queries) {
    await on(q);
    await off(q);
  }
  log(`${name}: ${ROUNDS} rounds × ${queries.length} queries, RLS on and off interleaved…`);
  const rls: number[] = [];
  const norls: number[] = [];
  let hitsOn = 0;
  let hitsOff = 0;
  for (let round_ = 0; round_ < ROUNDS; round_++) {
    for (const [i, q] of queries.entries()) {
      // ABAB, and BABA on the next query: neither side always runs second.
      const order = (i + round_) % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
      for (const which of order) {
        const t0 = performance.now();
        const hits = await (which === 'on' ? on : off)(q);
        const ms = performance.now() - t0;
        if (which === 'on') {
          rls.push(ms);
          hitsOn += hits;
        } else {
          norls.push(ms);
          hitsOff += hits;
        }
      }
    }
  }
  const withRls = summary(rls);
  const withoutRls = summary(norls);

  log(`${name}: the full retrieve path (embed + keyed query + search + decrypt), ${queries.length} queries…`);
  for (const q of queries.slice(0, 20)) await kbs.retrieve(KB, READER, q.text, K);
  const full: number[] = [];
  for (const q of queries) {
    const t0 = performance.now();
    await kbs.retrieve(KB, READER, q.text, K);
    full.push(performance.now() - t0);
  }
  const retrieve = summary(full);

  return {
    chunks: counts.chunks,
    documents: counts.documents,
    ...(prepareUs !== undefined ? { bulk_prepare_us_per_chunk: prepareUs } : {}),
    bulk_store_chunks_per_s: bulkStore,
    ingest_chunks_per_s: ingestRate,
    ingest_chunks_measured: report.chunks,
    p50_ms: withRls.p50,
    p99_ms: withRls.p99,
    norls_p50_ms: withoutRls.p50,
    norls_p99_ms: withoutRls.p99,
    rls_ratio: round(withRls.p50 / withoutRls.p50),
    retrieve_p50_ms: retrieve.p50,
    retrieve_p99_ms: retrieve.p99,
    avg_hits_rls: round(hitsOn / rls.length, 1),
    avg_hits_norls: round(hitsOff / norls.length, 1),
    plan_rls: plans.rls,
    plan_norls: plans.owner,
  };
}

// ---------------------------------------------------------------------------------------------
// Crypto: per-chunk decryption, and ESDK against bare AES-256-GCM on the same chunks.

interface CryptoFigures {
  decrypt_us_per_chunk: number;
  envelope_us_per_chunk: number;
  aes_gcm_us_per_chunk: number;
  envelope_ratio: number;
}

async function measureCrypto(docs: readonly Doc[], master: MasterKeys): Promise<CryptoFigures> {
  const db = await openPglite();
  try {
    await migrate(db);
    const keys = new KeyHierarchy(db, master);
    const documentId = randomUUID();
    const keyring = (await keys.key(documentScope(TENANT, KB, documentId))).keyring();
    const payloads: { id: string; plain: Buffer }[] = [];
    for (const d of docs) {
      for (const piece of chunkText(d.body)) {
        if (payloads.length >= CRYPTO_SAMPLE) break;
        payloads.push({ id: `${documentId}:${payloads.length}`, plain: Buffer.from(JSON.stringify({ title: d.title, heading: piece.heading, text: piece.text })) });
      }
      if (payloads.length >= CRYPTO_SAMPLE) break;
    }
    const aesKey = randomBytes(32);
    const esdk = async (p: { id: string; plain: Buffer }) => {
      const ct = await encryptWith(keyring, p.plain, chunkContext(documentId, p.id));
      await decryptWith(keyring, ct, chunkContext(documentId, p.id));
    };
    const gcm = (p: { plain: Buffer }) => {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', aesKey, iv);
      const ct = Buffer.concat([c.update(p.plain), c.final()]);
      const tag = c.getAuthTag();
      const d = createDecipheriv('aes-256-gcm', aesKey, iv);
      d.setAuthTag(tag);
      Buffer.concat([d.update(ct), d.final()]);
    };
    // Warm-up, then blocks of 100 chunks side by side, so noise on the VM hits both.
    for (const p of payloads.slice(0, 200)) {
      await esdk(p);
      gcm(p);
    }
    let esdkMs = 0;
    let gcmMs = 0;
    for (let i = 0; i < payloads.length; i += 100) {
      const block = payloads.slice(i, i + 100);
      let t0 = performance.now();
      for (const p of block) await esdk(p);
      esdkMs += performance.now() - t0;
      t0 = performance.now();
      for (const p of block) gcm(p);
      gcmMs += performance.now() - t0;
    }
    // Decryption alone, with the document key cached (what `retrieve` pays per hit).
    const cts = await Promise.all(payloads.map((p) => encryptWith(keyring, p.plain, chunkContext(documentId, p.id))));
    for (const [i, ct] of cts.slice(0, 200).entries()) await decryptWith(keyring, ct, chunkContext(documentId, payloads[i]!.id));
    const t0 = performance.now();
    for (const [i, ct] of cts.entries()) await decryptWith(keyring, ct, chunkContext(documentId, payloads[i]!.id));
    const decryptMs = performance.now() - t0;
    const n = payloads.length;
    return {
      decrypt_us_per_chunk: round((decryptMs * 1000) / n, 1),
      envelope_us_per_chunk: round((esdkMs * 1000) / n, 1),
      aes_gcm_us_per_chunk: round((gcmMs * 1000) / n, 1),
      envelope_ratio: round(esdkMs / gcmMs, 1),
    };
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------------

export async function run(opts: BenchOptions): Promise<void> {
  const target = opts.chunks ?? (opts.quick ? QUICK_CHUNKS : DEFAULT_CHUNKS);
  const fullPathTarget = Math.min(FULL_PATH_CHUNKS, Math.floor(target / 5));
  faker.seed(20_240_917);
  log(`generating documents for ${target} chunks…`);
  const docs: Doc[] = [];
  let chunks = 0;
  while (chunks < target) {
    const d = makeDoc(docs.length);
    docs.push(d);
    chunks += d.chunks;
  }
  // The last documents (about fullPathTarget chunks) go through the real ingest path.
  let split = docs.length;
  for (let n = 0; split > 0 && n < fullPathTarget; ) n += docs[--split]!.chunks;
  const queries = Array.from({ length: QUERIES }, makeQuery);

  const dir = mkdtempSync(path.join(tmpdir(), 'warden-bench-retrieve-'));
  const results: Record<string, BackendFigures> = {};
  let crypto: CryptoFigures;
  const url = process.env.WARDEN_BENCH_DATABASE_URL ?? process.env.WARDEN_TEST_DATABASE_URL;
  try {
    const sources = path.join(dir, 'handbook');
    mkdirSync(sources);
    for (const d of docs.slice(split)) writeFileSync(path.join(sources, d.source), markdownFile(d));
    const master = await localMasterKeys(path.join(dir, 'master.key'));
    const corpus: Corpus = { bulk: docs.slice(0, split), fullPath: docs.slice(split), dir: sources, queries };
    log(`${docs.length} documents, ${chunks} chunks (chunker count); ${corpus.fullPath.length} documents through the full ingest path`);

    log('crypto: ESDK against AES-256-GCM, decryption with a cached key…');
    crypto = await measureCrypto(docs, master);

    const bulk: BulkRows = {};
    const embedded = await openPglite(path.join(dir, 'pgdata'));
    try {
      results.embedded = await measureBackend('embedded (PGlite on disk)', embedded, master, corpus, bulk);
      if (url) {
        // PostgreSQL stores the same prepared rows, so it needs the same keys: keep a copy of them.
        const keysCopy = await openPglite();
        await keysCopy.exec('CREATE TABLE data_keys (id text, parent_id text, kind text, context text, wrapped bytea, master_version text)');
        await copyKeys(embedded, keysCopy);
        bulk.keysFrom = keysCopy;
      }
    } finally {
      await embedded.close();
    }

    if (url) {
      const schema = `warden_bench_${randomBytes(4).toString('hex')}`;
      const admin = openPostgres(url, { max: 1 });
      await admin.exec(`CREATE SCHEMA ${schema}`);
      const db = openPostgres(url, { schema });
      try {
        results.postgres = await measureBackend('PostgreSQL', db, master, corpus, bulk);
      } finally {
        await db.close();
        await bulk.keysFrom?.close();
        await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
        await admin.close();
      }
    } else {
      log('PostgreSQL skipped: set WARDEN_BENCH_DATABASE_URL to measure it too');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const out = (line: string) => process.stdout.write(`${line}\n`);
  out('');
  out(`Corpus: ${docs.length} synthetic handbook documents, reader clearance ${READER.clearance} in team ${READER.teams.join(',')}; top-${K}, ${QUERIES} queries × ${ROUNDS} rounds.`);
  out('| shape | chunks | ingest chunks/s (full path) | bulk putDocument chunks/s | p50 ms RLS | p99 ms RLS | p50 ms no RLS | p99 ms no RLS | RLS ratio | retrieve p50 ms | retrieve p99 ms |');
  out('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [shape, f] of Object.entries(results)) {
    out(
      `| ${shape} | ${f.chunks} | ${f.ingest_chunks_per_s} (${f.ingest_chunks_measured} chunks) | ${f.bulk_store_chunks_per_s} | ${f.p50_ms} | ${f.p99_ms} | ${f.norls_p50_ms} | ${f.norls_p99_ms} | ${f.rls_ratio}× | ${f.retrieve_p50_ms} | ${f.retrieve_p99_ms} |`,
    );
  }
  for (const [shape, f] of Object.entries(results)) {
    out(`Plan on ${shape}: with RLS ${f.plan_rls}; without RLS ${f.plan_norls}. Hits per query: ${f.avg_hits_rls} with RLS, ${f.avg_hits_norls} without.`);
  }
  if (results.embedded?.bulk_prepare_us_per_chunk !== undefined) {
    out(`Bulk rows prepared in this process (embed + keyed lexemes + ESDK): ${results.embedded.bulk_prepare_us_per_chunk} µs/chunk.`);
  }
  out(
    `Crypto per chunk: decrypt ${crypto.decrypt_us_per_chunk} µs (cached document key); ESDK encrypt+decrypt ${crypto.envelope_us_per_chunk} µs vs AES-256-GCM ${crypto.aes_gcm_us_per_chunk} µs: ${crypto.envelope_ratio}×.`,
  );
  out(`Targets: p50 under ${TARGET_P50_MS} ms embedded with RLS; RLS at most ${TARGET_RLS_RATIO}× over no RLS.`);
  if (opts.json) {
    const e = results.embedded!;
    const pg = results.postgres;
    out(
      JSON.stringify({
        p50_ms: e.p50_ms,
        p99_ms: e.p99_ms,
        rls_ratio: e.rls_ratio,
        envelope_ratio: crypto.envelope_ratio,
        ingest_chunks_per_s: e.ingest_chunks_per_s,
        chunks: e.chunks,
        norls_p50_ms: e.norls_p50_ms,
        norls_p99_ms: e.norls_p99_ms,
        retrieve_p50_ms: e.retrieve_p50_ms,
        decrypt_us_per_chunk: crypto.decrypt_us_per_chunk,
        ...(pg
          ? {
              pg_p50_ms: pg.p50_ms,
              pg_p99_ms: pg.p99_ms,
              pg_rls_ratio: pg.rls_ratio,
              pg_norls_p50_ms: pg.norls_p50_ms,
              pg_retrieve_p50_ms: pg.retrieve_p50_ms,
              pg_ingest_chunks_per_s: pg.ingest_chunks_per_s,
            }
          : {}),
      }),
    );
  }
}
