import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildClient, CommitmentPolicy, type KeyringNode } from '@aws-crypto/client-node';
import { KMS, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeKms, type FakeKms } from '../../test/support/fake-kms.js';
import { decryptWith, encryptWith } from './envelope.js';
import { readKeyFile, rotateKeyFile } from './local-keyfile.js';
import { kmsMasterKeys, localMasterKeys, localMasterKeysFrom } from './master-keys.js';

const context = { tenant: 'acme' };
const secret = Buffer.from('root key material');

/** The names of the master keys a message's data key is wrapped under (its EDKs' provider infos). */
async function wrappedUnder(ciphertext: Buffer, keyring: KeyringNode): Promise<string[]> {
  const { messageHeader } = await buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT).decrypt(keyring, ciphertext);
  return messageHeader.encryptedDataKeys.map((k) => k.providerInfo);
}

describe('local master keys', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-master-'));
    file = join(dir, 'keyring.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the key file and describes itself', async () => {
    const keys = await localMasterKeys(file);
    expect(keys.activeVersion).toBe('v1');
    expect(keys.versions).toEqual(['v1']);
    expect(keys.describe()).toContain(`local keyring file ${file}`);
  });

  it('decrypts under an old version after a rotation, and wraps new data under the new version only', async () => {
    const before = await localMasterKeys(file);
    const old = await encryptWith(before.keyring(), secret, context);
    await rotateKeyFile(file);
    const after = await localMasterKeys(file);
    expect(after.activeVersion).toBe('v2');
    expect(await decryptWith(after.keyring(), old, context)).toEqual(secret);
    const fresh = await encryptWith(after.keyring(), secret, context);
    // Raw AES provider info is the key name followed by the IV.
    const edks = await wrappedUnder(fresh, after.keyring());
    expect(edks).toHaveLength(1);
    expect(edks[0]?.startsWith('v2')).toBe(true);
    // So the retired version alone cannot read what the new one wrote.
    await expect(decryptWith(before.keyring(), fresh, context)).rejects.toThrow();
  });

  it('cannot decrypt without the version that wrapped the data', async () => {
    const before = await localMasterKeys(file);
    const old = await encryptWith(before.keyring(), secret, context);
    const rotated = await rotateKeyFile(file);
    const onlyNew = localMasterKeysFrom({ versions: rotated.versions.filter((v) => v.id === 'v2'), active: 'v2' }, 'v2 only');
    await expect(decryptWith(onlyNew.keyring(), old, context)).rejects.toThrow();
  });

  it('refuses a key file whose active version is missing', () => {
    expect(() => localMasterKeysFrom({ versions: [{ id: 'v1', key: randomBytes(32), createdAt: '' }], active: 'v9' }, 'broken')).toThrow(
      /active version v9/,
    );
  });

  it('reads back the same key file it created', async () => {
    await localMasterKeys(file);
    expect((await readKeyFile(file)).active).toBe('v1');
  });
});

describe('KMS master keys (real SDK against a local fake KMS)', () => {
  let kms: FakeKms;
  let keyArn: string;
  const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

  beforeAll(async () => {
    kms = await startFakeKms();
    keyArn = kms.createKey();
  });
  afterAll(async () => {
    await kms.close();
  });

  const master = (keyId = keyArn, previousKeyIds?: string[]) =>
    kmsMasterKeys({ keyId, endpoint: kms.endpoint, credentials, ...(previousKeyIds ? { previousKeyIds } : {}) });

  it('calls GenerateDataKey to encrypt and Decrypt to decrypt', async () => {
    const keys = master();
    const before = { ...kms.calls };
    const ciphertext = await encryptWith(keys.keyring(), secret, context);
    expect(kms.calls.GenerateDataKey).toBe(before.GenerateDataKey + 1);
    expect(kms.calls.Decrypt).toBe(before.Decrypt);
    expect(await decryptWith(master().keyring(), ciphertext, context)).toEqual(secret);
    expect(kms.calls.Decrypt).toBe(before.Decrypt + 1);
    expect(await wrappedUnder(ciphertext, keys.keyring())).toEqual([keyArn]);
    expect(keys.versions).toEqual([keyArn]);
    expect(keys.activeVersion).toBe(keyArn);
    expect(keys.describe()).toContain(`AWS KMS key ${keyArn}`);
  });

  it('fails when the message context is not the one KMS bound the data key to', async () => {
    const ciphertext = await encryptWith(master().keyring(), secret, context);
    // Edit the context in the header ('acme' -> 'acmf'): the ESDK sends the message's context to
    // KMS with the wrapped data key, and KMS (here the fake) refuses it.
    const at = ciphertext.indexOf('acme');
    const forged = Buffer.from(ciphertext);
    forged.write('acmf', at);
    const before = kms.calls.Decrypt;
    await expect(decryptWith(master().keyring(), forged, { tenant: 'acmf' })).rejects.toThrow(/InvalidCiphertextException/);
    expect(kms.calls.Decrypt).toBe(before + 1);
  });

  it('answers a Decrypt under another context with InvalidCiphertextException, as KMS does', async () => {
    const client = new KMS({ region: kms.region, endpoint: kms.endpoint, credentials });
    const { CiphertextBlob } = await client.encrypt({ KeyId: keyArn, Plaintext: secret, EncryptionContext: context });
    await expect(client.decrypt({ CiphertextBlob, EncryptionContext: { tenant: 'globex' } })).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
      $metadata: { httpStatusCode: 400 },
    });
    const { Plaintext, KeyId } = await client.decrypt({ CiphertextBlob, EncryptionContext: context });
    expect(Buffer.from(Plaintext ?? [])).toEqual(secret);
    expect(KeyId).toBe(keyArn);
    client.destroy();
  });

  it('refuses a message under the wrong expected context after KMS unwrapped it', async () => {
    const ciphertext = await encryptWith(master().keyring(), secret, context);
    await expect(decryptWith(master().keyring(), ciphertext, { tenant: 'globex' })).rejects.toThrow(/mismatch on "tenant"/);
  });

  it('cannot decrypt a message wrapped under another KMS key', async () => {
    const other = kms.createKey();
    const ciphertext = await encryptWith(master(other).keyring(), secret, context);
    await expect(decryptWith(master().keyring(), ciphertext, context)).rejects.toThrow();
    // With the old key listed as previous, it decrypts (what a switch of key ARN re-wraps with).
    expect(await decryptWith(master(keyArn, [other]).keyring(), ciphertext, context)).toEqual(secret);
  });

  it('refuses a key id that is not a key ARN', () => {
    expect(() => kmsMasterKeys({ keyId: 'alias/warden' })).toThrow(/key ARN/);
  });

  it('needs the aggregated KMS class: the bare KMSClient has no operation methods for the keyring to call', () => {
    const bare = new KMSClient({ region: kms.region, endpoint: kms.endpoint, credentials });
    const aggregated = new KMS({ region: kms.region, endpoint: kms.endpoint, credentials });
    expect(typeof (bare as unknown as Record<string, unknown>).generateDataKey).toBe('undefined');
    expect(typeof aggregated.generateDataKey).toBe('function');
    bare.destroy();
    aggregated.destroy();
  });

  it('fails encryption through a bare KMSClient even with an endpoint', async () => {
    const bare = new KMSClient({ region: kms.region, endpoint: kms.endpoint, credentials });
    const keys = kmsMasterKeys({ keyId: keyArn, clientFactory: () => bare as unknown as KMS }); // the mistake under test
    await expect(encryptWith(keys.keyring(), secret, context)).rejects.toThrow(/generateDataKey is not a function/);
    bare.destroy();
  });
});
