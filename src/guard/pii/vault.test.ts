import { randomBytes } from 'node:crypto';
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node';
import { describe, expect, it } from 'vitest';
import { createPiiScanner, PseudonymVault } from './index.js';
import { EncryptionContextMismatchError } from '../../crypto/envelope.js';

function keyring(key: Buffer = randomBytes(32)): RawAesKeyringNode {
  return new RawAesKeyringNode({
    keyName: 'test-key',
    keyNamespace: 'warden-test',
    unencryptedMasterKey: new Uint8Array(key),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
}

describe('PseudonymVault', () => {
  it('gives the same token to the same value and reveals it back', async () => {
    const vault = new PseudonymVault(keyring(), { id: 'v1' });
    const text = 'jane@example.com wrote to bob@example.com, then jane@example.com again';
    const entities = createPiiScanner().scan(text);
    const out = await vault.pseudonymize(text, entities);
    expect(out).toBe('<EMAIL_ADDRESS_1> wrote to <EMAIL_ADDRESS_2>, then <EMAIL_ADDRESS_1> again');
    expect(await vault.reveal('<EMAIL_ADDRESS_2>')).toBe('bob@example.com');
    expect(await vault.revealText(out)).toBe(text);
    expect(await vault.reveal('<EMAIL_ADDRESS_9>')).toBeUndefined();
  });

  it('stores values only as ciphertext bound to the vault context', async () => {
    const vault = new PseudonymVault(keyring(), { id: 'v2' });
    const token = await vault.tokenize('US_SSN', '536-22-8726');
    const ciphertext = vault.ciphertextOf(token);
    expect(ciphertext).toBeInstanceOf(Buffer);
    expect(ciphertext?.includes(Buffer.from('536-22-8726'))).toBe(false);
  });

  it('refuses a ciphertext from another vault under the same key (context mismatch)', async () => {
    const key = randomBytes(32);
    const other = new PseudonymVault(keyring(key), { id: 'other' });
    const mine = new PseudonymVault(keyring(key), { id: 'mine' });
    const token = await other.tokenize('PERSON', 'Jane Doe');
    const foreign = other.ciphertextOf(token) as Buffer;
    await expect(mine.decrypt(foreign)).rejects.toBeInstanceOf(EncryptionContextMismatchError);
    expect(await other.decrypt(foreign)).toBe('Jane Doe');
  });

  it('fails to decrypt with a different key', async () => {
    const a = new PseudonymVault(keyring(), { id: 'same' });
    const b = new PseudonymVault(keyring(), { id: 'same' });
    const ciphertext = a.ciphertextOf(await a.tokenize('PERSON', 'x')) as Buffer;
    await expect(b.decrypt(ciphertext)).rejects.toThrow();
  });
});
