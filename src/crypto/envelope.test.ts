import { randomBytes } from 'node:crypto';
import { AlgorithmSuiteIdentifier, buildClient, CommitmentPolicy } from '@aws-crypto/client-node';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertContext, decryptWith, DEFAULT_SUITE, encryptWith, EncryptionContextMismatchError } from './envelope.js';
import { rawAesKeyring } from './master-keys.js';

const keyring = rawAesKeyring('test-key', randomBytes(32));
const context = { tenant: 'acme', document: 'handbook' };
const plaintext = Buffer.from('the quarterly numbers');
const suiteOf = (ciphertext: Buffer): number => ciphertext.readUInt16BE(1); // v2 header: version byte, then suite id

describe('envelope encryption', () => {
  it('round-trips under the unsigned committing suite by default', async () => {
    const ciphertext = await encryptWith(keyring, plaintext, context);
    expect(suiteOf(ciphertext)).toBe(AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY);
    expect(suiteOf(ciphertext)).toBe(DEFAULT_SUITE);
    expect(await decryptWith(keyring, ciphertext, context)).toEqual(plaintext);
  });

  it('refuses a ciphertext whose encryption context names another document', async () => {
    const ciphertext = await encryptWith(keyring, plaintext, context);
    await expect(decryptWith(keyring, ciphertext, { ...context, document: 'payroll' })).rejects.toBeInstanceOf(EncryptionContextMismatchError);
  });

  it('refuses a ciphertext that carries a context key the caller did not expect', async () => {
    const ciphertext = await encryptWith(keyring, plaintext, { ...context, extra: 'x' });
    await expect(decryptWith(keyring, ciphertext, context)).rejects.toThrow(/unexpected encryption context key "extra"/);
  });

  it('refuses a ciphertext that lacks an expected context key', async () => {
    const ciphertext = await encryptWith(keyring, plaintext, { tenant: 'acme' });
    await expect(decryptWith(keyring, ciphertext, context)).rejects.toThrow(/mismatch on "document"/);
  });

  it('refuses to encrypt with the context key the SDK reserves for itself', async () => {
    await expect(encryptWith(keyring, plaintext, { 'aws-crypto-public-key': 'forged' })).rejects.toBeInstanceOf(EncryptionContextMismatchError);
  });

  it('does not decrypt under another key', async () => {
    const ciphertext = await encryptWith(keyring, plaintext, context);
    await expect(decryptWith(rawAesKeyring('test-key', randomBytes(32)), ciphertext, context)).rejects.toThrow();
  });

  describe('messages under the SDK default signing suite', () => {
    const signingSuite = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384;

    it('are accepted although the SDK added aws-crypto-public-key to their context', async () => {
      // Encrypted by the plain SDK with no suite chosen: its default is the signing suite.
      const client = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
      const { result, messageHeader } = await client.encrypt(keyring, plaintext, { encryptionContext: context });
      expect(messageHeader.suiteId).toBe(signingSuite);
      expect(Object.keys(messageHeader.encryptionContext)).toContain('aws-crypto-public-key');
      expect(await decryptWith(keyring, result, context)).toEqual(plaintext);
    });

    it('are refused on a wrong, extra or missing context key', async () => {
      const ciphertext = await encryptWith(keyring, plaintext, context, { suiteId: signingSuite });
      expect(suiteOf(ciphertext)).toBe(signingSuite);
      await expect(decryptWith(keyring, ciphertext, { ...context, tenant: 'globex' })).rejects.toBeInstanceOf(EncryptionContextMismatchError);
      await expect(decryptWith(keyring, ciphertext, { tenant: 'acme' })).rejects.toBeInstanceOf(EncryptionContextMismatchError);
      await expect(decryptWith(keyring, ciphertext, { ...context, kb: 'hr' })).rejects.toBeInstanceOf(EncryptionContextMismatchError);
    });
  });

  it('round-trips any bytes under any context, and refuses any single changed context value', async () => {
    // Context keys: non-empty, not the SDK's reserved prefix; the SDK rejects empty keys itself.
    const contextKey = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((k) => !k.startsWith('aws-crypto-'));
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2048 }),
        fc.dictionary(contextKey, fc.string({ unit: 'grapheme', maxLength: 24 }), { minKeys: 1, maxKeys: 5 }),
        fc.nat(),
        fc.string({ unit: 'grapheme', maxLength: 24 }),
        async (bytes, ctx, pick, replacement) => {
          const ciphertext = await encryptWith(keyring, bytes, ctx);
          expect(new Uint8Array(await decryptWith(keyring, ciphertext, ctx))).toEqual(bytes);
          const keys = Object.keys(ctx);
          const changed = keys[pick % keys.length] as string;
          fc.pre(ctx[changed] !== replacement);
          await expect(decryptWith(keyring, ciphertext, { ...ctx, [changed]: replacement })).rejects.toBeInstanceOf(
            EncryptionContextMismatchError,
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('compares contexts exactly, without inheriting prototype keys', () => {
    expect(() => assertContext({}, { toString: 'x' })).toThrow(EncryptionContextMismatchError);
    expect(() => assertContext({ a: '1', 'aws-crypto-public-key': 'k' }, { a: '1' })).not.toThrow();
  });
});
