import type { AuditRecord, AuditSink } from '../core/ports.js';
import { canonicalJson } from '../core/digest.js';
import type { SqlClient, Queryable } from '../backends/sql/sql-client.js';
import { chainHash, GENESIS_HASH } from './chain.js';
import type { CheckpointSigner } from './signing-key.js';

export interface LedgerOptions {
  signer: CheckpointSigner;
  /** A signed checkpoint at least every this many entries… */
  checkpointEvery: number;
  /** …and at least this often while entries arrive. */
  checkpointSeconds: number;
  maxBatch?: number;
  /**
   * This process is the only writer (embedded PGlite holds the data directory's lock): the head of
   * the chain is kept in memory instead of locked and read in every transaction.
   */
  soleWriter?: boolean;
}

interface Pending {
  record: AuditRecord;
  resolve: (v: { seq: number }) => void;
  reject: (e: unknown) => void;
}

/** A lock id every Warden process on one database takes to append, so the chain stays linear. */
const APPEND_LOCK = 72_6564_02;

/**
 * Hash-chained, append-only audit ledger with group commit: appends that arrive while a commit is
 * in flight are written together in the next transaction, so durability costs one commit per
 * batch, not per entry. `append` resolves only after the entry's transaction committed.
 */
export class Ledger implements AuditSink {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private lastCheckpointAt = Date.now();
  private closed = false;
  private uncheckpointed = false;
  /** The chain's head, when this process is the sole writer and has read or written it. */
  private head: { seq: number; hash: string } | undefined;

  constructor(
    private readonly db: SqlClient,
    private readonly options: LedgerOptions,
  ) {}

  append(record: AuditRecord): Promise<{ seq: number }> {
    if (this.closed) return Promise.reject(new Error('the ledger is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      this.flushing ??= this.drain();
    });
  }

  /** Resolves when everything appended so far is durable. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Closes with a signed checkpoint over the head, so a clean shutdown leaves nothing unvouched. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    if (this.uncheckpointed) await this.checkpointHead().catch(() => {});
  }

  private async checkpointHead(): Promise<void> {
    await this.db.transaction(async (tx) => {
      const head = await this.headOf(tx);
      if (head.seq > 0) await this.insertCheckpoint(tx, head);
    });
  }

  private async insertCheckpoint(tx: Queryable, at: { seq: number; hash: string }): Promise<void> {
    const { signer } = this.options;
    await tx.query('INSERT INTO audit_checkpoints (seq, hash, ts, key_id, signature) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING', [
      at.seq,
      at.hash,
      new Date().toISOString(),
      signer.keyId,
      signer.sign(at.seq, at.hash),
    ]);
    this.lastCheckpointAt = Date.now();
    this.uncheckpointed = false;
  }

  private async drain(): Promise<void> {
    // Let appends issued in the same tick join the first batch.
    await new Promise((r) => setImmediate(r));
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.maxBatch ?? 2000);
        try {
          const records = batch.map((p) => p.record);
          // A sole writer that knows the head needs no transaction: the one INSERT of the batch is
          // atomic by itself, and saves two round trips into the database per batch.
          const seqs = this.options.soleWriter && this.head ? await this.write(this.db, records) : await this.db.transaction((tx) => this.write(tx, records));
          batch.forEach((p, i) => p.resolve({ seq: seqs[i]! }));
        } catch (err) {
          // The transaction rolled back: whatever head was assumed is read again next time.
          this.head = undefined;
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** The head of the chain, read under the append lock (one linear chain across processes). */
  private async headOf(tx: Queryable): Promise<{ seq: number; hash: string }> {
    if (this.head) return this.head;
    if (!this.options.soleWriter) await tx.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
    const { rows } = await tx.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_ledger ORDER BY seq DESC LIMIT 1');
    return { seq: Number(rows[0]?.seq ?? 0), hash: rows[0]?.hash ?? GENESIS_HASH };
  }

  private async write(tx: Queryable, records: AuditRecord[]): Promise<number[]> {
    const head = await this.headOf(tx);
    let seq = head.seq;
    let prev = head.hash;
    const seqs: number[] = [];
    const ts: string[] = [];
    const bodies: string[] = [];
    const prevs: string[] = [];
    const hashes: string[] = [];
    const checkpoints: { seq: number; hash: string }[] = [];
    for (const record of records) {
      seq += 1;
      const at = new Date().toISOString();
      const body = canonicalJson({ record, seq, ts: at });
      const hash = chainHash(prev, body);
      seqs.push(seq);
      ts.push(at);
      bodies.push(body);
      prevs.push(prev);
      hashes.push(hash);
      prev = hash;
      if (seq % this.options.checkpointEvery === 0) checkpoints.push({ seq, hash });
    }
    await tx.query(
      `INSERT INTO audit_ledger (seq, ts, body, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[])`,
      [seqs, ts, bodies, prevs, hashes],
    );
    const due = Date.now() - this.lastCheckpointAt >= this.options.checkpointSeconds * 1000;
    if (due && checkpoints.at(-1)?.seq !== seq) checkpoints.push({ seq, hash: prev });
    for (const cp of checkpoints) await this.insertCheckpoint(tx, cp);
    this.uncheckpointed = checkpoints.at(-1)?.seq !== seq;
    if (this.options.soleWriter) this.head = { seq, hash: prev };
    return seqs;
  }
}
