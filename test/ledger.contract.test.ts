import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databases, resetDatabase } from './support/databases.js';
import type { SqlClient } from '../src/backends/sql/sql-client.js';
import { Ledger } from '../src/audit/ledger.js';
import { CheckpointSigner } from '../src/audit/signing-key.js';
import { verifyLedger } from '../src/audit/verify.js';
import { readLedger } from '../src/audit/read.js';
import type { AuditRecord } from '../src/core/ports.js';

const record = (i: number): AuditRecord => ({
  requestId: `req-${i}`,
  agentId: i % 2 ? 'finance-bot' : 'support-bot',
  verb: 'tool.invoke',
  resource: 'bank.send_money',
  decision: i % 3 ? 'allow' : 'deny',
  policies: ['p'],
  obligations: {},
  credential: { kind: 'api_key', id: 'k' },
  contextDigest: `sha256:${String(i).padStart(64, '0')}`,
});

/** Tampering as an attacker with database access would: the append-only trigger first. */
async function tamper(db: SqlClient, sql: string, params: unknown[] = []): Promise<void> {
  await db.exec('ALTER TABLE audit_ledger DISABLE TRIGGER audit_ledger_append_only');
  await db.query(sql, params);
  await db.exec('ALTER TABLE audit_ledger ENABLE TRIGGER audit_ledger_append_only');
}

describe.each(databases)('audit ledger on $name', ({ open }) => {
  let db: SqlClient;
  let drop: () => Promise<void>;
  let reopen: (() => SqlClient) | undefined;
  let signer: CheckpointSigner;
  let ledger: Ledger;

  beforeAll(async () => {
    ({ db, drop, reopen } = await open());
  });
  beforeEach(async () => {
    await resetDatabase(db);
    signer = CheckpointSigner.generate();
    ledger = new Ledger(db, { signer, checkpointEvery: 10, checkpointSeconds: 3600 });
  });
  afterAll(async () => drop());

  const appendMany = (n: number, l = ledger) => Promise.all(Array.from({ length: n }, (_, i) => l.append(record(i))));

  it('gives concurrent appends consecutive sequence numbers and a chain that verifies', async () => {
    const results = await appendMany(35);
    expect(results.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 35 }, (_, i) => i + 1));
    const v = await verifyLedger(db, [signer.publicKey]);
    expect(v).toEqual({ ok: true, entries: 35, checkpoints: 3 });
  });

  it('stores a digest of the context, never the arguments', async () => {
    await appendMany(1);
    const { rows } = await db.query<{ body: string }>('SELECT body FROM audit_ledger');
    expect(rows[0]?.body).toContain('"contextDigest":"sha256:');
    const [entry] = await readLedger(db, { limit: 10 });
    expect(entry?.record.requestId).toBe('req-0');
  });

  it('refuses updates and deletes through the append-only trigger', async () => {
    await appendMany(2);
    await expect(db.query("UPDATE audit_ledger SET body = 'x' WHERE seq = 1")).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_ledger WHERE seq = 1')).rejects.toThrow(/append-only/);
  });

  it('reports the first bad sequence number when a row is changed', async () => {
    await appendMany(20);
    await tamper(db, `UPDATE audit_ledger SET body = replace(body, '"decision":"allow"', '"decision":"deny"') WHERE seq = 8`);
    expect(await verifyLedger(db, [signer.publicKey])).toMatchObject({ ok: false, firstBadSeq: 8 });
  });

  it('reports the first bad sequence number when a row is deleted', async () => {
    await appendMany(20);
    await tamper(db, 'DELETE FROM audit_ledger WHERE seq = 5');
    expect(await verifyLedger(db, [signer.publicKey])).toMatchObject({ ok: false, firstBadSeq: 5 });
  });

  it('reports the first bad sequence number when a row is inserted', async () => {
    await appendMany(20);
    // Make room at 13 by shifting the rest up, then insert a forged row that links correctly to 12.
    await tamper(db, 'UPDATE audit_ledger SET seq = seq + 1000 WHERE seq >= 13');
    await tamper(db, 'UPDATE audit_ledger SET seq = seq - 999 WHERE seq >= 1013');
    const { rows } = await db.query<{ hash: string }>('SELECT hash FROM audit_ledger WHERE seq = 12');
    await tamper(db, 'INSERT INTO audit_ledger (seq, ts, body, prev_hash, hash) VALUES (13, now(), $1, $2, $3)', [
      '{"record":{},"seq":13,"ts":"x"}',
      rows[0]!.hash,
      'f'.repeat(64),
    ]);
    expect(await verifyLedger(db, [signer.publicKey])).toMatchObject({ ok: false, firstBadSeq: 13 });
  });

  it('reports the first bad sequence number when rows are reordered', async () => {
    await appendMany(20);
    await tamper(db, 'UPDATE audit_ledger SET seq = 100 WHERE seq = 6');
    await tamper(db, 'UPDATE audit_ledger SET seq = 6 WHERE seq = 7');
    await tamper(db, 'UPDATE audit_ledger SET seq = 7 WHERE seq = 100');
    expect(await verifyLedger(db, [signer.publicKey])).toMatchObject({ ok: false, firstBadSeq: 6 });
  });

  it('notices entries cut off the end when a signed checkpoint vouches for them', async () => {
    await appendMany(25);
    await tamper(db, 'DELETE FROM audit_ledger WHERE seq > 15');
    expect(await verifyLedger(db, [signer.publicKey])).toMatchObject({ ok: false, firstBadSeq: 16 });
  });

  it('rejects a checkpoint signed by a key it does not trust', async () => {
    await appendMany(10);
    expect(await verifyLedger(db, [CheckpointSigner.generate().publicKey])).toMatchObject({ ok: false, firstBadSeq: 10 });
  });

  it('signs a checkpoint over the head when it closes', async () => {
    await appendMany(3);
    await ledger.close();
    expect(await verifyLedger(db, [signer.publicKey])).toEqual({ ok: true, entries: 3, checkpoints: 1 });
  });

  it('keeps one linear chain when two writers append to one database', async () => {
    // Two Ledger instances stand for two gateway processes; on PostgreSQL each has its own pool.
    const other = new Ledger(reopen ? reopen() : db, { signer, checkpointEvery: 10, checkpointSeconds: 3600 });
    await Promise.all([appendMany(60), appendMany(60, other)]);
    expect(await verifyLedger(db, [signer.publicKey])).toMatchObject({ ok: true, entries: 120 });
  });

  it('as the sole writer, keeps the head in memory and still builds one chain that verifies, also after a failed batch', async () => {
    const sole = new Ledger(db, { signer, checkpointEvery: 10, checkpointSeconds: 3600, soleWriter: true });
    await appendMany(15, sole);
    await db.exec('ALTER TABLE audit_ledger RENAME TO audit_ledger_gone');
    await expect(sole.append(record(99))).rejects.toThrow();
    await db.exec('ALTER TABLE audit_ledger_gone RENAME TO audit_ledger');
    await appendMany(15, sole);
    expect(await verifyLedger(db, [signer.publicKey])).toMatchObject({ ok: true, entries: 30 });
  });

  it('rejects every append of a batch whose transaction fails, and records nothing of it', async () => {
    await appendMany(2);
    await db.exec('ALTER TABLE audit_ledger RENAME TO audit_ledger_gone');
    await expect(ledger.append(record(99))).rejects.toThrow();
    await db.exec('ALTER TABLE audit_ledger_gone RENAME TO audit_ledger');
    expect((await verifyLedger(db, [signer.publicKey])).entries).toBe(2);
  });
});
