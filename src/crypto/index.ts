export {
  assertContext,
  canonicalContext,
  decryptWith,
  DEFAULT_SUITE,
  encryptWith,
  EncryptionContextMismatchError,
  type EncryptionContext,
  type EncryptOptions,
} from './envelope.js';
export { KeyFileError, loadOrCreateKeyFile, readKeyFile, rotateKeyFile, type KeyFile, type KeyFileVersion } from './local-keyfile.js';
export {
  KEY_NAMESPACE,
  kmsMasterKeys,
  localMasterKeys,
  localMasterKeysFrom,
  rawAesKeyring,
  type KmsMasterKeysOptions,
  type MasterKeys,
} from './master-keys.js';
export {
  KEY_CONTEXT,
  KeyHierarchy,
  KeyScopeConflictError,
  RotationError,
  type DataKey,
  type KeyHierarchyOptions,
  type KeyHierarchyStatus,
  type KeyScope,
  type RotationResult,
} from './key-hierarchy.js';
