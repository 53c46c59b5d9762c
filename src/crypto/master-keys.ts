import {
  KeyringNode,
  KmsKeyringNode,
  MultiKeyringNode,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  type KmsNodeClientSupplier,
  type NodeDecryptionMaterial,
  type NodeEncryptionMaterial,
  type EncryptedDataKey,
} from '@aws-crypto/client-node';
import { KMS, type KMSClientConfig } from '@aws-sdk/client-kms';
import { WardenError } from '../core/errors.js';
import { loadOrCreateKeyFile, type KeyFile } from './local-keyfile.js';

/** What wraps the root keys of the hierarchy: a local key file or an AWS KMS key. */
export interface MasterKeys {
  /** The version new root keys are wrapped under (and what `rotate` re-wraps to). */
  readonly activeVersion: string;
  readonly versions: readonly string[];
  /** Encrypts under the active version only; decrypts under every version. */
  keyring(): KeyringNode;
  describe(): string;
}

export const KEY_NAMESPACE = 'warden';

/**
 * Encrypts with one keyring and decrypts with another. A MultiKeyring alone will not do for
 * rotation: on encrypt it wraps the data key under the generator AND every child, so new root keys
 * would stay readable with the retired versions and a rotation would never retire anything.
 */
class ActiveVersionKeyring extends KeyringNode {
  constructor(
    private readonly encryptor: KeyringNode,
    private readonly decryptor: KeyringNode,
  ) {
    super();
  }

  override async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    return this.encryptor.onEncrypt(material);
  }

  override async _onDecrypt(material: NodeDecryptionMaterial, edks: EncryptedDataKey[]): Promise<NodeDecryptionMaterial> {
    return this.decryptor.onDecrypt(material, edks);
  }
}

/** Raw AES-256 keyring for one key; `name` is written into every message it wraps a key for. */
export function rawAesKeyring(name: string, key: Uint8Array): RawAesKeyringNode {
  return new RawAesKeyringNode({
    keyNamespace: KEY_NAMESPACE,
    keyName: name,
    // A copy: the caller's buffer may be reused or zeroed, and the keyring must keep working.
    unencryptedMasterKey: new Uint8Array(key),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
}

/** Master keys from the embedded shape's key file, created on first use. */
export async function localMasterKeys(file: string): Promise<MasterKeys> {
  return localMasterKeysFrom(await loadOrCreateKeyFile(file), `local keyring file ${file}`);
}

/** Master keys from an already loaded key file (tests build one from a subset of versions). */
export function localMasterKeysFrom(keyFile: KeyFile, description: string): MasterKeys {
  const byVersion = new Map(keyFile.versions.map((v) => [v.id, rawAesKeyring(v.id, v.key)]));
  const active = byVersion.get(keyFile.active);
  if (!active) throw new WardenError('config_invalid', `${description}: active version ${keyFile.active} is missing`);
  // Decrypt: the active version first (the common case after a rotation), then the older ones.
  const decryptor = new MultiKeyringNode({
    generator: active,
    children: [...byVersion].filter(([id]) => id !== keyFile.active).map(([, k]) => k),
  });
  const keyring = new ActiveVersionKeyring(active, decryptor);
  const versions = Object.freeze(keyFile.versions.map((v) => v.id));
  return {
    activeVersion: keyFile.active,
    versions,
    keyring: () => keyring,
    describe: () => `${description} (active ${keyFile.active}, ${versions.length} version${versions.length === 1 ? '' : 's'})`,
  };
}

export interface KmsMasterKeysOptions {
  /** A key ARN (not an alias: messages record the key ARN, and decrypt only trusts configured ids). */
  keyId: string;
  /** Key ARNs that wrapped root keys before a switch to `keyId`; decrypt-only, for `rotate`. */
  previousKeyIds?: string[];
  /** Defaults to the region in the ARN. */
  region?: string;
  /** A KMS-compatible endpoint (LocalStack, a VPC endpoint, the test fake). */
  endpoint?: string;
  credentials?: KMSClientConfig['credentials'];
  /** Overrides the client construction entirely. */
  clientFactory?: KmsNodeClientSupplier;
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/**
 * Master keys in AWS KMS. Rotation is KMS's own business: with automatic rotation KMS changes the
 * backing material under the same key ARN and still decrypts old ciphertexts, so there is one
 * "version" (the ARN) and `KeyHierarchy.rotate` has nothing to re-wrap. Switching to another key
 * ARN is a re-wrap: configure the new `keyId` with the old one in `previousKeyIds`, then rotate.
 */
export function kmsMasterKeys(options: KmsMasterKeysOptions): MasterKeys {
  const previous = options.previousKeyIds ?? [];
  for (const id of [options.keyId, ...previous]) {
    if (!KEY_ARN.test(id)) throw new WardenError('config_invalid', `KMS key id must be a key ARN (arn:aws:kms:<region>:<account>:key/<id>), got ${id}`);
  }
  const clientProvider = options.clientFactory ?? defaultKmsClients(options);
  const encryptor = new KmsKeyringNode({ generatorKeyId: options.keyId, clientProvider });
  const decryptor = previous.length ? new KmsKeyringNode({ generatorKeyId: options.keyId, keyIds: previous, clientProvider }) : encryptor;
  const keyring = new ActiveVersionKeyring(encryptor, decryptor);
  const versions = Object.freeze([options.keyId, ...previous]);
  return {
    activeVersion: options.keyId,
    versions,
    keyring: () => keyring,
    describe: () => `AWS KMS key ${options.keyId}${options.endpoint ? ` via ${options.endpoint}` : ''}`,
  };
}

/**
 * One client per region. It must be the aggregated `KMS` class: the keyring calls
 * `client.generateDataKey(...)`, `client.encrypt(...)` and `client.decrypt(...)` as methods, which
 * only the aggregated class has; the bare `KMSClient` exposes nothing but `send(command)`, so the
 * keyring fails with "client.generateDataKey is not a function" whether or not an endpoint is set.
 */
function defaultKmsClients(options: KmsMasterKeysOptions): KmsNodeClientSupplier {
  const clients = new Map<string, KMS>();
  return (region: string) => {
    const r = options.region ?? region;
    let client = clients.get(r);
    if (!client) {
      client = new KMS({
        region: r,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      });
      clients.set(r, client);
    }
    return client;
  };
}
