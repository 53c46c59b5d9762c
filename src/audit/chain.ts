import { sha256Hex } from '../core/digest.js';

/** The previous hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** Each entry's hash covers the previous hash and its canonical body (which holds its seq). */
export function chainHash(prevHash: string, body: string): string {
  return sha256Hex(`${prevHash}\n${body}`);
}

/** Cheap check that a body names its own sequence number (canonical JSON sorts `seq` after `record`). */
export function bodyHasSeq(body: string, seq: number): boolean {
  return body.includes(`,"seq":${seq},`);
}
