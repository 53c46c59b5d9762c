import type { KeysConfig } from '../config/schema.js';
import { WardenError } from '../core/errors.js';
import type { KeyHierarchy, KeyHierarchyStatus } from './key-hierarchy.js';
import { rotateKeyFile } from './local-keyfile.js';
import { kmsMasterKeys, localMasterKeys, type MasterKeys } from './master-keys.js';

export interface RotationProgress {
  running: boolean;
  done: number;
  total: number;
  activeVersion: string;
  error?: string;
}

/**
 * Opens the master keys the configuration names, and rotates them: a new active version first
 * (new data is wrapped under it at once), then the existing root keys are re-wrapped in the
 * background. Old versions stay able to decrypt throughout, so nothing is unreadable at any point.
 */
export class KeyManager {
  #rotation: RotationProgress | undefined;
  #job: Promise<void> | undefined;

  private constructor(
    private readonly config: KeysConfig,
    private readonly keyFile: string,
    private master: MasterKeys,
  ) {}

  static async open(config: KeysConfig, keyFile: string): Promise<KeyManager> {
    return new KeyManager(config, keyFile, await openMasterKeys(config, keyFile));
  }

  get masterKeys(): MasterKeys {
    return this.master;
  }

  async status(keys: KeyHierarchy): Promise<KeyHierarchyStatus & { rotation?: RotationProgress }> {
    return { ...(await keys.status()), ...(this.#rotation ? { rotation: { ...this.#rotation } } : {}) };
  }

  /**
   * Makes a new version active and starts re-wrapping; resolves once the new version is active.
   * `finished` resolves when every root key is on it. One rotation at a time.
   */
  async rotate(keys: KeyHierarchy, onProgress?: (p: RotationProgress) => void): Promise<{ activeVersion: string; finished: Promise<void> }> {
    if (this.#rotation?.running) throw new WardenError('invalid_request', 'A key rotation is already running');
    if (this.config.provider === 'local') await rotateKeyFile(this.keyFile);
    // KMS rotates its own backing material under the same key id; re-wrapping moves every root key onto it.
    this.master = await openMasterKeys(this.config, this.keyFile);
    const progress: RotationProgress = { running: true, done: 0, total: 0, activeVersion: this.master.activeVersion };
    this.#rotation = progress;
    const finished = keys
      .rotate(this.master, (done, total) => {
        Object.assign(progress, { done, total });
        onProgress?.({ ...progress });
      })
      .then(
        () => {
          progress.running = false;
          onProgress?.({ ...progress });
        },
        (err: unknown) => {
          progress.running = false;
          progress.error = err instanceof Error ? err.message : String(err);
          onProgress?.({ ...progress });
          throw err;
        },
      );
    this.#job = finished.catch(() => {});
    return { activeVersion: this.master.activeVersion, finished };
  }

  /** Waits for a background rotation (on close). */
  async settle(): Promise<void> {
    await this.#job;
  }
}

async function openMasterKeys(config: KeysConfig, keyFile: string): Promise<MasterKeys> {
  if (config.provider === 'local') return localMasterKeys(keyFile);
  const keyId = config.kms_key_id ?? process.env.WARDEN_KMS_KEY_ID;
  if (!keyId) throw new WardenError('config_invalid', 'keys.provider is kms but neither keys.kms_key_id nor WARDEN_KMS_KEY_ID is set');
  return kmsMasterKeys({ keyId, previousKeyIds: config.previous_kms_key_ids, ...(config.region ? { region: config.region } : {}), ...(config.endpoint ? { endpoint: config.endpoint } : {}) });
}
