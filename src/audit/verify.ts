import type { KeyObject } from 'node:crypto';
import type { Queryable } from '../backends/sql/sql-client.js';
import { Worker } from 'node:worker_threads';
import { checkPage, GENESIS_HASH, type PageCheck } from './chain.js';
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
  const checkpointSeqs = cps.map((c) => Number(c.seq));
  const fail = (seq: number, problem: string): VerifyResult => ({ ok: false, entries: expected - 1, checkpoints: cps.length, firstBadSeq: seq, problem });

  // Pages come back as one text each (rows joined by newlines: canonical JSON has none inside),
  // and are hashed on a worker thread while the next page is read: reading and hashing overlap.
  const fetchPage = async (from: number) =>
    (
      await db.query<{ page: string | null }>(
        `SELECT string_agg(seq::text || ' ' || hash || ' ' || body, E'\\n' ORDER BY seq) AS page
           FROM (SELECT seq, hash, body FROM audit_ledger WHERE seq >= $1 ORDER BY seq LIMIT $2) p`,
        [from, PAGE],
      )
    ).rows[0]?.page ?? '';
  const hasher = await PageHasher.start();
  try {
    let page = await fetchPage(1);
    for (let from = 1; ; from += PAGE) {
      const full = page.length > 0 && countLines(page) === PAGE;
      const checked = hasher.check(page, prev, expected, checkpointSeqs);
      const next = full ? fetchPage(from + PAGE) : undefined;
      const result = await checked;
      for (const [seq, hash] of result.hashes) hashes.set(seq, hash);
      if (result.failure) {
        expected = result.expected;
        return fail(result.failure.seq, result.failure.problem);
      }
      prev = result.prev;
      expected = result.expected;
      onProgress?.(expected - 1);
      if (!next) break;
      page = await next;
    }
  } finally {
    await hasher.stop();
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

function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** A worker thread that checks pages; where workers cannot start, pages are checked inline. */
class PageHasher {
  private constructor(private readonly worker: Worker | undefined) {}

  static async start(): Promise<PageHasher> {
    const source = import.meta.url.endsWith('.ts') ? './verify-worker.ts' : './verify-worker.js';
    try {
      const worker = new Worker(new URL(source, import.meta.url), {
        // Running from TypeScript source on a Node without type stripping on by default.
        ...(source.endsWith('.ts') && !(process.features as { typescript?: unknown }).typescript ? { execArgv: ['--experimental-strip-types'] } : {}),
      });
      await new Promise<void>((resolve, reject) => {
        worker.once('online', resolve);
        worker.once('error', reject);
      });
      return new PageHasher(worker);
    } catch {
      return new PageHasher(undefined);
    }
  }

  check(page: string, prev: string, expected: number, checkpointSeqs: number[]): Promise<PageCheck> {
    const worker = this.worker;
    if (!worker) return Promise.resolve(checkPage(page, prev, expected, new Set(checkpointSeqs)));
    return new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage({ page, prev, expected, checkpointSeqs });
    });
  }

  async stop(): Promise<void> {
    await this.worker?.terminate();
  }
}
