import type { KeyObject } from 'node:crypto';
import type { Queryable } from '../backends/sql/sql-client.js';
import { bodyHasSeq, chainHash, GENESIS_HASH } from './chain.js';
import { keyIdOf, verifyCheckpoint } from './signing-key.js';

export interface VerifyResult {
  ok: boolean;
  entries: number;
  checkpoints: number;
  /** The first sequence number at which the ledger stops verifying. */
  firstBadSeq?: number;
  problem?: string;
}

const PAGE = 20_000;

/**
 * Walks the whole chain in sequence order and checks every link, then every signed checkpoint.
 * A changed, deleted, inserted or reordered row is reported at the first sequence number it breaks.
 */
export async function verifyLedger(
  db: Queryable,
  trustedKeys: readonly KeyObject[],
  onProgress?: (entries: number) => void,
): Promise<VerifyResult> {
  let expected = 1;
  let prev = GENESIS_HASH;
  const hashes = new Map<number, string>();
  const { rows: cps } = await db.query<{ seq: number; hash: string; key_id: string; signature: string }>(
    'SELECT seq, hash, key_id, signature FROM audit_checkpoints ORDER BY seq',
  );
  const checkpointSeqs = new Set(cps.map((c) => Number(c.seq)));
  const fail = (seq: number, problem: string): VerifyResult => ({ ok: false, entries: expected - 1, checkpoints: cps.length, firstBadSeq: seq, problem });

  // Pages come back as one text each (rows joined by newlines: canonical JSON has none inside), and
  // the next page is fetched while this one is hashed: row decoding dominates otherwise.
  const fetchPage = (from: number) =>
    db.query<{ page: string | null }>(
      `SELECT string_agg(seq::text || ' ' || hash || ' ' || body, E'\\n' ORDER BY seq) AS page
         FROM (SELECT seq, hash, body FROM audit_ledger WHERE seq >= $1 ORDER BY seq LIMIT $2) p`,
      [from, PAGE],
    );
  let next = fetchPage(1);
  for (let from = 1; ; from += PAGE) {
    const page = (await next).rows[0]?.page;
    const lines = page ? page.split('\n') : [];
    if (lines.length === PAGE) next = fetchPage(from + PAGE);
    for (const line of lines) {
      const a = line.indexOf(' ');
      const b = line.indexOf(' ', a + 1);
      const seq = Number(line.slice(0, a));
      const hash = line.slice(a + 1, b);
      const body = line.slice(b + 1);
      if (seq !== expected) return fail(expected, `entry ${expected} is missing`);
      if (!bodyHasSeq(body, seq)) return fail(seq, `entry ${seq} holds the body of another entry`);
      if (chainHash(prev, body) !== hash) return fail(seq, `entry ${seq} was changed, or does not link to entry ${seq - 1}`);
      if (checkpointSeqs.has(seq)) hashes.set(seq, hash);
      prev = hash;
      expected++;
    }
    onProgress?.(expected - 1);
    if (lines.length < PAGE) break;
  }

  const keys = new Map(trustedKeys.map((k) => [keyIdOf(k), k]));
  for (const cp of cps) {
    const seq = Number(cp.seq);
    const key = keys.get(cp.key_id);
    if (!key) return fail(seq, `checkpoint ${seq} is signed by an untrusted key ${cp.key_id}`);
    if (!verifyCheckpoint(key, seq, cp.hash, cp.signature)) return fail(seq, `checkpoint ${seq} has a bad signature`);
    if (seq >= expected) return fail(expected, `entries ${expected}..${seq} were removed (checkpoint ${seq} vouches for them)`);
    if (hashes.get(seq) !== cp.hash) return fail(seq, `entry ${seq} differs from its signed checkpoint`);
  }
  return { ok: true, entries: expected - 1, checkpoints: cps.length };
}
