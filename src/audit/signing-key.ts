import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { sha256Hex } from '../core/digest.js';
import { loadOrCreateSigningKey } from '../crypto/signing-key-file.js';

/** Signs ledger checkpoints with Ed25519; the key id is a digest of the public key. */
export class CheckpointSigner {
  readonly keyId: string;
  readonly publicKey: KeyObject;

  constructor(private readonly privateKey: KeyObject) {
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyIdOf(this.publicKey);
  }

  static generate(): CheckpointSigner {
    return new CheckpointSigner(generateKeyPairSync('ed25519').privateKey);
  }

  /** Loads the key file, creating it (mode 0600) on first use. */
  static fromFile(file: string): CheckpointSigner {
    return new CheckpointSigner(loadOrCreateSigningKey(file));
  }

  sign(seq: number, hash: string): string {
    return sign(null, Buffer.from(checkpointMessage(seq, hash)), this.privateKey).toString('base64');
  }
}

export function keyIdOf(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ format: 'der', type: 'spki' }).toString('base64')).slice(0, 16);
}

export function checkpointMessage(seq: number, hash: string): string {
  return `warden-ledger-checkpoint:${seq}:${hash}`;
}

export function verifyCheckpoint(publicKey: KeyObject, seq: number, hash: string, signature: string): boolean {
  return verify(null, Buffer.from(checkpointMessage(seq, hash)), publicKey, Buffer.from(signature, 'base64'));
}
