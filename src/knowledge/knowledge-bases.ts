import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { WardenError } from '../core/errors.js';
import type { KnowledgeBaseConfig } from '../config/schema.js';
import { SENSITIVITY_LEVELS } from '../policy/model.js';
import { decryptWith, encryptWith } from '../crypto/envelope.js';
import type { KeyHierarchy } from '../crypto/key-hierarchy.js';
import { documentScope, lexemeScope, tenantScope } from '../crypto/scopes.js';
import { chunkText } from './chunker.js';
import { readDocument, type SourceDocument } from './documents.js';
import { checkDimensions, type Embedder } from './embedder.js';
import { keyedLexemes, keyedTerms } from './lexemes.js';
import type { KnowledgeStore, Reader, StoredChunk } from './store.js';

export type Sensitivity = keyof typeof SENSITIVITY_LEVELS;
const SENSITIVITY_NAMES = Object.fromEntries(Object.entries(SENSITIVITY_LEVELS).map(([name, level]) => [level, name])) as Record<number, Sensitivity>;
const SUPPORTED = new Set(['.md', '.markdown', '.txt', '.html', '.htm', '.json', '.pdf']);
const EMBED_BATCH = 64;

export interface KnowledgeDeps {
  store: KnowledgeStore;
  keys: KeyHierarchy;
  embedder: Embedder;
  bases: readonly KnowledgeBaseConfig[];
  defaultTenant: string;
  /** Masks identifying PII in a text, for knowledge bases with `redact_pii`. */
  redactPii?: (text: string) => Promise<string>;
}

export interface IngestProgress {
  file: string;
  done: number;
  total: number;
}

export interface IngestReport {
  documents: number;
  chunks: number;
  unchanged: number;
  failed: { file: string; error: string }[];
}

/** One retrieved chunk, decrypted, with where it came from. */
export interface RetrievedChunk {
  id: string;
  documentId: string;
  source: string;
  title?: string;
  heading: string;
  text: string;
  score: number;
  sensitivity: Sensitivity;
  ownerTeam: string;
}

interface ChunkPayload {
  title?: string;
  heading: string;
  text: string;
}

/** Ingest and retrieval for the configured knowledge bases: chunk, embed, encrypt per chunk, store; search under RLS, decrypt. */
export class KnowledgeBases {
  private readonly byId: Map<string, KnowledgeBaseConfig>;

  constructor(private readonly deps: KnowledgeDeps) {
    this.byId = new Map(deps.bases.map((b) => [b.id, b]));
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }

  config(kbId: string): KnowledgeBaseConfig {
    const kb = this.byId.get(kbId);
    if (!kb) throw new WardenError('unknown_resource', `No knowledge base "${kbId}" is configured`);
    return kb;
  }

  tenantOf(kbId: string): string {
    return this.config(kbId).tenant ?? this.deps.defaultTenant;
  }

  /** Ingests files and directories (recursively, supported formats only); a file that fails is reported, the rest go on. */
  async ingest(kbId: string, paths: readonly string[], onProgress?: (p: IngestProgress) => void): Promise<IngestReport> {
    const kb = this.config(kbId);
    const files = expandPaths(paths);
    const report: IngestReport = { documents: 0, chunks: 0, unchanged: 0, failed: [] };
    let done = 0;
    for (const { file, source } of files) {
      try {
        const result = await this.ingestFile(kb, file, source);
        if (result === 'unchanged') report.unchanged++;
        else {
          report.documents++;
          report.chunks += result;
        }
      } catch (err) {
        report.failed.push({ file, error: err instanceof Error ? err.message : String(err) });
      }
      onProgress?.({ file: source, done: ++done, total: files.length });
    }
    if (report.documents) await this.deps.store.analyze();
    return report;
  }

  private async ingestFile(kb: KnowledgeBaseConfig, file: string, source: string): Promise<number | 'unchanged'> {
    const doc = await readDocument(file);
    const tenant = kb.tenant ?? this.deps.defaultTenant;
    const digest = createHash('sha256').update(doc.text).update('\0').update(JSON.stringify(doc.meta)).digest('hex');
    const existing = await this.deps.store.documentBySource(tenant, kb.id, source);
    if (existing?.contentDigest === digest) return 'unchanged';

    const sensitivity = sensitivityOf(doc, kb);
    const ownerTeam = typeof doc.meta.owner_team === 'string' ? doc.meta.owner_team : (kb.owner_team ?? '');
    const documentId = randomUUID();
    const pieces = chunkText(doc.text);
    const texts = kb.redact_pii && this.deps.redactPii ? await Promise.all(pieces.map((c) => this.deps.redactPii!(c.text))) : pieces.map((c) => c.text);
    const headed = pieces.map((c, i) => [doc.title, c.heading, texts[i]].filter(Boolean).join('\n'));
    const embeddings = await this.embed(headed, 'document');
    const lexemeKey = await this.lexemeKey(tenant);
    const docKey = await this.deps.keys.key(documentScope(tenant, kb.id, documentId));
    const chunks: StoredChunk[] = [];
    for (const [i, piece] of pieces.entries()) {
      const id = `${documentId}:${piece.ord}`;
      const payload: ChunkPayload = { ...(doc.title ? { title: doc.title } : {}), heading: piece.heading, text: texts[i]! };
      const ciphertext = await encryptWith(docKey.keyring(), Buffer.from(JSON.stringify(payload)), chunkContext(tenant, kb.id, documentId, id));
      chunks.push({ id, ord: piece.ord, embedding: embeddings[i]!, lexemes: keyedLexemes(headed[i]!, lexemeKey), ciphertext });
    }
    const { replaced } = await this.deps.store.putDocument(
      { id: documentId, tenant, kb: kb.id, source, sensitivityLevel: SENSITIVITY_LEVELS[sensitivity], ownerTeam, contentDigest: digest },
      chunks,
    );
    // The earlier version's rows are gone; destroying its key makes any copy of them unreadable too.
    if (replaced) await this.deps.keys.destroy(documentScope(tenant, kb.id, replaced).id);
    return chunks.length;
  }

  private async embed(texts: string[], purpose: 'document' | 'query'): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += EMBED_BATCH) {
      const batch = await this.deps.embedder.embed(texts.slice(i, i + EMBED_BATCH), purpose);
      for (const v of batch) checkDimensions(v, this.deps.embedder.id);
      out.push(...batch);
    }
    return out;
  }

  /** The tenant's key for lexeme hashes: words are searchable without being stored. */
  private async lexemeKey(tenant: string): Promise<Buffer> {
    const key = await this.deps.keys.key(lexemeScope(tenant));
    return key.secret();
  }

  /** The top-k chunks the reader may see, decrypted; row-level security has already dropped the rest. */
  async retrieve(kbId: string, reader: Reader, query: string, k: number): Promise<RetrievedChunk[]> {
    const kb = this.config(kbId);
    const tenant = kb.tenant ?? this.deps.defaultTenant;
    const [embedding] = await this.embed([query], 'query');
    const terms = keyedTerms(query, await this.lexemeKey(tenant));
    const hits = await this.deps.store.search(reader, { tenant, kb: kb.id, embedding: embedding!, terms, k });
    return Promise.all(
      hits.map(async (hit) => {
        const docKey = await this.deps.keys.key(documentScope(tenant, kb.id, hit.documentId));
        const plain = await decryptWith(docKey.keyring(), hit.ciphertext, chunkContext(tenant, kb.id, hit.documentId, hit.id));
        const payload = JSON.parse(plain.toString('utf8')) as ChunkPayload;
        return {
          id: hit.id,
          documentId: hit.documentId,
          source: hit.source,
          ...(payload.title ? { title: payload.title } : {}),
          heading: payload.heading,
          text: payload.text,
          score: hit.score,
          sensitivity: SENSITIVITY_NAMES[hit.sensitivityLevel] ?? 'restricted',
          ownerTeam: hit.ownerTeam,
        };
      }),
    );
  }

  /** Deletes a document and destroys its key: its chunks can never be read again, from any copy. */
  async deleteDocument(kbId: string, source: string): Promise<boolean> {
    const tenant = this.tenantOf(kbId);
    const doc = await this.deps.store.documentBySource(tenant, kbId, source);
    if (!doc) return false;
    await this.deps.store.deleteDocument(doc.id);
    await this.deps.keys.destroy(documentScope(tenant, kbId, doc.id).id);
    return true;
  }

  /** Destroys a tenant's key (and every key under it), then its rows: crypto-shredding. */
  async shredTenant(tenant: string): Promise<{ documents: number }> {
    await this.deps.keys.destroy(tenantScope(tenant).id);
    const ids = await this.deps.store.documentIds({ tenant });
    for (const id of ids) await this.deps.store.deleteDocument(id);
    return { documents: ids.length };
  }

  async counts(kbId: string): Promise<{ documents: number; chunks: number }> {
    return this.deps.store.counts(this.tenantOf(kbId), kbId);
  }

  /**
   * Ingests each knowledge base's configured sources when it holds nothing yet and was never
   * seeded before (the quickstart's first start); a base emptied on purpose stays empty.
   */
  async ingestConfiguredIfEmpty(
    baseDir: string,
    seededBefore: ReadonlySet<string>,
    onProgress?: (kb: string, p: IngestProgress) => void,
  ): Promise<Record<string, IngestReport>> {
    const reports: Record<string, IngestReport> = {};
    for (const kb of this.deps.bases) {
      if (!kb.sources.length || seededBefore.has(kb.id) || (await this.counts(kb.id)).documents > 0) continue;
      reports[kb.id] = await this.ingest(
        kb.id,
        kb.sources.map((s) => path.resolve(baseDir, s)),
        onProgress && ((p) => onProgress(kb.id, p)),
      );
    }
    return reports;
  }
}

const chunkContext = (tenant: string, kb: string, document: string, chunk: string) => ({ tenant, kb, document, chunk });

function sensitivityOf(doc: SourceDocument, kb: KnowledgeBaseConfig): Sensitivity {
  const declared = doc.meta.sensitivity;
  if (declared === undefined) return kb.sensitivity;
  if (typeof declared === 'string' && declared in SENSITIVITY_LEVELS) return declared as Sensitivity;
  throw new WardenError('invalid_request', `${doc.source}: sensitivity "${String(declared)}" is not one of ${Object.keys(SENSITIVITY_LEVELS).join(', ')}`);
}

/**
 * Files under the given paths, in a stable order; directories are walked, unsupported files
 * skipped. A file's source name is its path below the directory it was found in (its base name
 * when named directly), so the same document ingested from elsewhere is recognised.
 */
function expandPaths(paths: readonly string[]): { file: string; source: string }[] {
  const out: { file: string; source: string }[] = [];
  let root = '';
  const walk = (p: string, explicit: boolean) => {
    let stat;
    try {
      stat = statSync(p);
    } catch {
      throw new WardenError('invalid_request', `No such file or directory: ${p}`);
    }
    if (stat.isDirectory()) {
      for (const name of readdirSync(p).sort()) if (!name.startsWith('.')) walk(path.join(p, name), false);
    } else if (explicit || SUPPORTED.has(path.extname(p).toLowerCase())) {
      out.push({ file: p, source: explicit ? path.basename(p) : path.relative(root, p).split(path.sep).join('/') });
    }
  };
  for (const p of paths) {
    root = path.resolve(p);
    walk(root, true);
  }
  return out;
}
