import type { Queryable } from '../backends/sql/sql-client.js';
import type { AuditRecord } from '../core/ports.js';

export interface LedgerEntry {
  seq: number;
  ts: string;
  hash: string;
  record: AuditRecord;
}

/** A page of entries after `after`, oldest first (or the newest `limit` when `tail`). */
export async function readLedger(db: Queryable, opts: { after?: number; limit: number; tail?: boolean }): Promise<LedgerEntry[]> {
  const { rows } = opts.tail
    ? await db.query<{ seq: number; body: string; hash: string }>('SELECT seq, body, hash FROM audit_ledger ORDER BY seq DESC LIMIT $1', [opts.limit])
    : await db.query<{ seq: number; body: string; hash: string }>('SELECT seq, body, hash FROM audit_ledger WHERE seq > $1 ORDER BY seq LIMIT $2', [
        opts.after ?? 0,
        opts.limit,
      ]);
  const entries = rows.map((r) => {
    const body = JSON.parse(r.body) as { record: AuditRecord; ts: string };
    return { seq: Number(r.seq), ts: body.ts, hash: r.hash, record: body.record };
  });
  return opts.tail ? entries.reverse() : entries;
}
