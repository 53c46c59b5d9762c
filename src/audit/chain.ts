// No relative imports here: the verification worker loads this file by itself.
import { createHash } from 'node:crypto';

/** The previous hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** Each entry's hash covers the previous hash and its canonical body (which holds its seq). */
export function chainHash(prevHash: string, body: string): string {
  return createHash('sha256').update(`${prevHash}\n${body}`).digest('hex');
}

/** Cheap check that a body names its own sequence number (canonical JSON sorts `seq` after `record`). */
export function bodyHasSeq(body: string, seq: number): boolean {
  return body.includes(`,"seq":${seq},`);
}

export interface PageCheck {
  prev: string;
  /** The sequence number the next page must start with. */
  expected: number;
  /** Hashes at the sequence numbers that have checkpoints. */
  hashes: [number, string][];
  failure?: { seq: number; problem: string };
}

/**
 * Checks one page of `seq hash body` lines (the format `verifyLedger` reads) against the chain so
 * far: sequence, the body's own seq, and the hash over the previous hash and the body.
 */
export function checkPage(page: string, prev: string, expected: number, checkpointSeqs: ReadonlySet<number>): PageCheck {
  const hashes: [number, string][] = [];
  const lines = page ? page.split('\n') : [];
  for (const line of lines) {
    const a = line.indexOf(' ');
    const b = line.indexOf(' ', a + 1);
    const seq = Number(line.slice(0, a));
    const hash = line.slice(a + 1, b);
    const body = line.slice(b + 1);
    const fail = (at: number, problem: string): PageCheck => ({ prev, expected, hashes, failure: { seq: at, problem } });
    if (seq !== expected) return fail(expected, `entry ${expected} is missing`);
    if (!bodyHasSeq(body, seq)) return fail(seq, `entry ${seq} holds the body of another entry`);
    if (chainHash(prev, body) !== hash) return fail(seq, `entry ${seq} was changed, or does not link to entry ${seq - 1}`);
    if (checkpointSeqs.has(seq)) hashes.push([seq, hash]);
    prev = hash;
    expected++;
  }
  return { prev, expected, hashes };
}
