import { AlgorithmSuiteIdentifier, buildClient, CommitmentPolicy, type KeyringNode } from '@aws-crypto/client-node';

/**
 * Envelope encryption with the AWS Encryption SDK, plus the one check the SDK leaves to us: it
 * returns the encryption context it finds in a message without comparing it to the caller's, so a
 * ciphertext bound to another document (under the same key) would otherwise decrypt silently.
 */

/** Keys the SDK adds to the context on its own: the signing suites store the verification key here. */
const SDK_ADDED_CONTEXT_KEYS: ReadonlySet<string> = new Set(['aws-crypto-public-key']);

/**
 * The suite we encrypt with: key-committing AES-256-GCM, but no ECDSA signature. A signature only
 * proves the message came from someone who could not also decrypt it; here every reader is also a
 * writer (they share the wrapping key), so it would buy nothing, and signing every chunk with P-384
 * is by far the slowest part of a message. Messages under the default signing suite still decrypt.
 */
export const DEFAULT_SUITE: AlgorithmSuiteIdentifier = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;

/**
 * Our messages carry one encrypted data key (one wrapping key); the limit stops a crafted message
 * with thousands of data keys from making us attempt (with KMS: pay for) thousands of unwraps.
 */
const MAX_ENCRYPTED_DATA_KEYS = 10;

const client = buildClient({
  commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  maxEncryptedDataKeys: MAX_ENCRYPTED_DATA_KEYS,
});

export type EncryptionContext = Readonly<Record<string, string>>;

export class EncryptionContextMismatchError extends Error {
  override readonly name = 'EncryptionContextMismatchError';
}

export interface EncryptOptions {
  /** Overrides {@link DEFAULT_SUITE} (tests use the SDK's default signing suite). */
  suiteId?: AlgorithmSuiteIdentifier;
}

/** Encrypts `plaintext` under a fresh data key wrapped by `keyring`, bound to `context`. */
export async function encryptWith(
  keyring: KeyringNode,
  plaintext: Uint8Array,
  context: EncryptionContext,
  options: EncryptOptions = {},
): Promise<Buffer> {
  for (const key of Object.keys(context)) {
    // The SDK would refuse it too, but only for signing suites; refuse it always so that the
    // decrypt-side allowance for this key can never be satisfied by a caller-chosen value.
    if (SDK_ADDED_CONTEXT_KEYS.has(key)) throw new EncryptionContextMismatchError(`encryption context key "${key}" is reserved`);
  }
  const { result } = await client.encrypt(keyring, plaintext, {
    encryptionContext: { ...context },
    suiteId: options.suiteId ?? DEFAULT_SUITE,
  });
  return result;
}

/** Decrypts a message and insists that its encryption context is exactly `expected`. */
export async function decryptWith(keyring: KeyringNode, ciphertext: Uint8Array, expected: EncryptionContext): Promise<Buffer> {
  const { plaintext, messageHeader } = await client.decrypt(keyring, ciphertext);
  assertContext(messageHeader.encryptionContext, expected);
  return plaintext;
}

/** Every expected pair present and equal; no other key but the ones the SDK adds itself. */
export function assertContext(found: EncryptionContext, expected: EncryptionContext): void {
  for (const [key, value] of Object.entries(expected)) {
    if (!Object.hasOwn(found, key) || found[key] !== value) {
      throw new EncryptionContextMismatchError(`encryption context mismatch on "${key}"`);
    }
  }
  for (const key of Object.keys(found)) {
    if (!Object.hasOwn(expected, key) && !SDK_ADDED_CONTEXT_KEYS.has(key)) {
      throw new EncryptionContextMismatchError(`unexpected encryption context key "${key}"`);
    }
  }
}

/** The context as one stable string (sorted keys), for storage next to a wrapped key. */
export function canonicalContext(context: EncryptionContext): string {
  const sorted = Object.keys(context)
    .sort()
    .map((k) => [k, context[k]]);
  return JSON.stringify(Object.fromEntries(sorted));
}
