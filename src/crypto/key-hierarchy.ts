import { randomBytes } from 'node:crypto';
import type { KeyringNode } from '@aws-crypto/client-node';
import type { Queryable, SqlClient } from '../backends/sql/sql-client.js';
import { canonicalContext, decryptWith, encryptWith, type EncryptionContext } from './envelope.js';
import { rawAesKeyring, type MasterKeys } from './master-keys.js';

/**
 * Data keys in a tree stored in `data_keys`: a root (e.g. a tenant key) is wrapped by the master
 * keyring, every other key by its parent. Deleting a row destroys that key and, by the foreign
 * key's cascade, every key under it — crypto-shredding: ciphertexts under them, wherever copies of
 * them live, can no longer be decrypted. Ids come from the caller and are deterministic
 * (`tenant:acme`, `doc:acme:handbook:<docId>`), so one scope always maps to one row.
 */

export interface KeyScope {
  id: string;
  kind: string;
  parent?: KeyScope;
  /** Bound into the wrapped key's encryption context (plus `warden_key: id`). */
  context: Record<string, string>;
}

export interface DataKey {
  readonly id: string;
  /** Wraps each message's own ESDK data key under this key (use with encryptWith/decryptWith). */
  keyring(): KeyringNode;
  /**
   * A copy of the raw 32 bytes, for a key used other than as a keyring (e.g. an HMAC key). Give such
   * a use its own scope so that no key is both a wrapping key and something else.
   */
  secret(): Buffer;
}

export interface KeyHierarchyOptions {
  /** Unwrapped keys kept in memory; default 1,000. */
  cacheSize?: number;
  /** Root keys read per batch by `rotate`; default 100. */
  rotateBatchSize?: number;
}

export interface KeyHierarchyStatus {
  master: {
    description: string;
    activeVersion: string;
    versions: { id: string; active: boolean; rootKeys: number }[];
  };
  keys: Record<string, number>;
}

export interface RotationResult {
  rewrapped: number;
  total: number;
}

/** The stored row disagrees with the scope asked for (another kind or another parent). */
export class KeyScopeConflictError extends Error {
  override readonly name = 'KeyScopeConflictError';
}

export class RotationError extends Error {
  override readonly name = 'RotationError';
  constructor(
    message: string,
    readonly failed: { id: string; error: unknown }[],
  ) {
    super(message);
  }
}

/** The context key that names the key a wrapped key belongs to. */
export const KEY_CONTEXT = 'warden_key';

const KEY_BYTES = 32;

interface CachedKey extends DataKey {
  readonly parentId: string | null;
}

interface KeyRow {
  id: string;
  parent_id: string | null;
  kind: string;
  context: string;
  wrapped: Uint8Array;
  master_version: string | null;
}

export class KeyHierarchy {
  readonly #db: SqlClient;
  #master: MasterKeys;
  readonly #cache: Lru<string, CachedKey>;
  /** One unwrap/create per id at a time within this process; the database settles it across processes. */
  readonly #inflight = new Map<string, Promise<CachedKey>>();
  readonly #batchSize: number;

  constructor(db: SqlClient, masterKeys: MasterKeys, options: KeyHierarchyOptions = {}) {
    this.#db = db;
    this.#master = masterKeys;
    this.#cache = new Lru(options.cacheSize ?? 1000);
    this.#batchSize = options.rotateBatchSize ?? 100;
  }

  /** Unwrapped keys currently held in memory. */
  get cachedKeys(): number {
    return this.#cache.size;
  }

  /** The key for `scope`, creating it (and any missing ancestor) on first use. */
  async key(scope: KeyScope): Promise<DataKey> {
    return this.#key(scope);
  }

  async #key(scope: KeyScope): Promise<CachedKey> {
    const cached = this.#cache.get(scope.id);
    if (cached) return cached;
    let pending = this.#inflight.get(scope.id);
    if (!pending) {
      pending = this.#load(scope).finally(() => this.#inflight.delete(scope.id));
      this.#inflight.set(scope.id, pending);
    }
    return pending;
  }

  async #load(scope: KeyScope): Promise<CachedKey> {
    const context = wrappingContext(scope);
    const parent = scope.parent ? await this.#key(scope.parent) : undefined;
    const wrapping = parent ? parent.keyring() : this.#master.keyring();
    let row = await this.#read(this.#db, scope.id);
    if (!row) {
      const material = randomBytes(KEY_BYTES);
      const wrapped = await encryptWith(wrapping, material, context);
      // ON CONFLICT DO NOTHING: when another writer created the key first, theirs is the key, and
      // we read it back below instead of returning ours (which nothing would ever decrypt again).
      const inserted = await this.#db.query(
        `INSERT INTO data_keys (id, parent_id, kind, context, wrapped, master_version)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [scope.id, parent?.id ?? null, scope.kind, canonicalContext(context), wrapped, parent ? null : this.#master.activeVersion],
      );
      if (inserted.rows.length === 1) return this.#remember(scope.id, parent?.id ?? null, material);
      row = await this.#read(this.#db, scope.id);
      if (!row) throw new KeyScopeConflictError(`data key ${scope.id} was destroyed while it was being created`);
    }
    if (row.kind !== scope.kind || row.parent_id !== (parent?.id ?? null)) {
      throw new KeyScopeConflictError(
        `data key ${scope.id} is stored as kind ${row.kind} under ${row.parent_id ?? 'the master key'}, not kind ${scope.kind} under ${parent?.id ?? 'the master key'}`,
      );
    }
    // The expected context comes from the scope, not from the row: a wrapped key copied in from
    // another row (another tenant's document) is refused even if its `context` column was edited.
    const material = await decryptWith(wrapping, row.wrapped, context);
    return this.#remember(scope.id, row.parent_id, material);
  }

  #remember(id: string, parentId: string | null, material: Buffer): CachedKey {
    const keyring = rawAesKeyring(id, material);
    const key: CachedKey = { id, parentId, keyring: () => keyring, secret: () => Buffer.from(material) };
    this.#cache.set(id, key);
    return key;
  }

  async #read(q: Queryable, id: string): Promise<KeyRow | undefined> {
    const { rows } = await q.query<KeyRow>(
      'SELECT id, parent_id, kind, context, wrapped, master_version FROM data_keys WHERE id = $1',
      [id],
    );
    return rows[0];
  }

  /**
   * Destroys `id` and every key below it. Ciphertexts under them become undecryptable for good:
   * the only copies of the key material were the wrapped rows and this process's cache.
   * (Another process's cache keeps a destroyed key until it evicts it or restarts.)
   */
  async destroy(id: string): Promise<number> {
    const ids = await this.#db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `WITH RECURSIVE under (id) AS (
           SELECT id FROM data_keys WHERE id = $1
           UNION SELECT k.id FROM data_keys k JOIN under u ON k.parent_id = u.id)
         SELECT id FROM under`,
        [id],
      );
      await tx.query('DELETE FROM data_keys WHERE id = $1', [id]);
      return rows.map((r) => r.id);
    });
    this.#evict(new Set([id, ...ids]));
    return ids.length;
  }

  /** Drops `gone` and every cached key whose ancestor chain (as cached) reaches one of them. */
  #evict(gone: Set<string>): void {
    let changed = true;
    while (changed) {
      changed = false;
      for (const [id, key] of this.#cache.entries()) {
        if (gone.has(id) || (key.parentId !== null && gone.has(key.parentId))) {
          if (!gone.has(id)) changed = true;
          gone.add(id);
        }
      }
    }
    for (const id of gone) this.#cache.delete(id);
  }

  async status(): Promise<KeyHierarchyStatus> {
    const roots = await this.#db.query<{ version: string | null; n: number }>(
      'SELECT master_version AS version, count(*)::int AS n FROM data_keys WHERE parent_id IS NULL GROUP BY master_version',
    );
    const kinds = await this.#db.query<{ kind: string; n: number }>('SELECT kind, count(*)::int AS n FROM data_keys GROUP BY kind');
    const rootsByVersion = new Map(roots.rows.map((r) => [r.version ?? '(none)', Number(r.n)]));
    // Versions the database mentions but the master keys lack are listed too: their root keys
    // cannot be unwrapped with the configured master keys, and that is what an operator must see.
    const ids = [...new Set([...this.#master.versions, ...rootsByVersion.keys()])];
    return {
      master: {
        description: this.#master.describe(),
        activeVersion: this.#master.activeVersion,
        versions: ids.map((id) => ({ id, active: id === this.#master.activeVersion, rootKeys: rootsByVersion.get(id) ?? 0 })),
      },
      keys: Object.fromEntries(kinds.rows.map((r) => [r.kind, Number(r.n)])),
    };
  }

  /**
   * Re-wraps every root key not yet under `masterKeys.activeVersion`, which the caller has just made
   * active (local: rotateKeyFile, then localMasterKeys again). Only root keys move; the keys below
   * them are wrapped by their parents, which do not change. Each row is swapped in one UPDATE that
   * only applies if the row still holds the ciphertext we re-wrapped, so at every moment a row is
   * readable under either the old or the new version, and no lock is held across a KMS call.
   * Afterwards this hierarchy uses `masterKeys`.
   */
  async rotate(masterKeys: MasterKeys, onProgress?: (done: number, total: number) => void | Promise<void>): Promise<RotationResult> {
    this.#master = masterKeys;
    const active = masterKeys.activeVersion;
    const keyring = masterKeys.keyring();
    const pendingWhere = 'parent_id IS NULL AND master_version IS DISTINCT FROM $1';
    const counted = await this.#db.query<{ n: number }>(`SELECT count(*)::int AS n FROM data_keys WHERE ${pendingWhere}`, [active]);
    const total = Number(counted.rows[0]?.n ?? 0);
    const failed: { id: string; error: unknown }[] = [];
    let done = 0;
    let rewrapped = 0;
    let after = '';
    await onProgress?.(0, total);
    for (;;) {
      // Keyset pagination by id, so a row that fails to re-wrap is reported once, not retried forever.
      const { rows } = await this.#db.query<Pick<KeyRow, 'id' | 'context' | 'wrapped'>>(
        `SELECT id, context, wrapped FROM data_keys WHERE ${pendingWhere} AND id > $2 ORDER BY id LIMIT $3`,
        [active, after, this.#batchSize],
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        after = row.id;
        try {
          const context = JSON.parse(row.context) as EncryptionContext;
          const material = await decryptWith(keyring, row.wrapped, context);
          const wrapped = await encryptWith(keyring, material, context);
          material.fill(0);
          const updated = await this.#db.query(
            `UPDATE data_keys SET wrapped = $2, master_version = $3, rewrapped_at = now()
             WHERE id = $1 AND wrapped = $4 RETURNING id`,
            [row.id, wrapped, active, row.wrapped],
          );
          rewrapped += updated.rows.length; // 0: a concurrent rotation (or destroy) got there first
        } catch (error) {
          failed.push({ id: row.id, error });
        }
        done += 1;
      }
      // Awaited, so a caller may pause the rotation between batches (tests read mid-rotation).
      await onProgress?.(Math.min(done, total), total);
    }
    if (failed.length) {
      throw new RotationError(`${failed.length} of ${total} root keys could not be re-wrapped (first: ${failed[0]?.id})`, failed);
    }
    return { rewrapped, total };
  }
}

/** The context a key is wrapped under: the scope's, plus its own id. */
function wrappingContext(scope: KeyScope): EncryptionContext {
  if (!scope.id) throw new TypeError('a key scope needs an id');
  if (Object.hasOwn(scope.context, KEY_CONTEXT)) throw new TypeError(`"${KEY_CONTEXT}" is reserved in a key scope's context`);
  return { ...scope.context, [KEY_CONTEXT]: scope.id };
}

/** A bounded map that forgets the least recently used entry (a Map iterates in insertion order). */
class Lru<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('cache size must be a positive integer');
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key); // re-inserted: now the most recently used
    this.#entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  entries(): [K, V][] {
    return [...this.#entries.entries()];
  }
}
