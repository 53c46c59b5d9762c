import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SqlClient } from '../backends/sql/sql-client.js';
import { databases } from '../../test/support/databases.js';
import { decryptWith, encryptWith, EncryptionContextMismatchError } from './envelope.js';
import { KeyHierarchy, KeyScopeConflictError, type KeyScope } from './key-hierarchy.js';
import { readKeyFile, rotateKeyFile } from './local-keyfile.js';
import { localMasterKeys, localMasterKeysFrom, type MasterKeys } from './master-keys.js';

const tenant = (name: string): KeyScope => ({ id: `tenant:${name}`, kind: 'tenant', context: { tenant: name } });
const doc = (t: string, id: string): KeyScope => ({
  id: `doc:${t}:handbook:${id}`,
  kind: 'document',
  parent: tenant(t),
  context: { tenant: t, kb: 'handbook', document: id },
});
const chunkContext = (t: string, id: string) => ({ tenant: t, document: id, chunk: '0' });
const text = Buffer.from('Chapter 1: the vacation policy');

for (const backend of databases) {
  describe(`KeyHierarchy on ${backend.name}`, () => {
    let db: SqlClient;
    let drop: () => Promise<void>;
    let dir: string;
    let keyFile: string;
    let master: MasterKeys;

    beforeAll(async () => {
      ({ db, drop } = await backend.open());
    });
    afterAll(async () => {
      await drop();
    });
    beforeEach(async () => {
      await db.exec('DELETE FROM data_keys');
      dir = await mkdtemp(join(tmpdir(), 'warden-keys-'));
      keyFile = join(dir, 'keyring.json');
      master = await localMasterKeys(keyFile);
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const encryptUnder = async (keys: KeyHierarchy, t: string, id: string): Promise<Buffer> =>
      encryptWith((await keys.key(doc(t, id))).keyring(), text, chunkContext(t, id));
    const decryptUnder = async (keys: KeyHierarchy, t: string, id: string, ciphertext: Buffer): Promise<Buffer> =>
      decryptWith((await keys.key(doc(t, id))).keyring(), ciphertext, chunkContext(t, id));

    it('creates a key with its missing ancestors, and gives the same key to a fresh instance', async () => {
      const ciphertext = await encryptUnder(new KeyHierarchy(db, master), 'acme', 'd1');
      const { rows } = await db.query<{ id: string; parent_id: string | null; kind: string; context: string; master_version: string | null }>(
        'SELECT id, parent_id, kind, context, master_version FROM data_keys ORDER BY id',
      );
      expect(rows).toEqual([
        {
          id: 'doc:acme:handbook:d1',
          parent_id: 'tenant:acme',
          kind: 'document',
          context: JSON.stringify({ document: 'd1', kb: 'handbook', tenant: 'acme', warden_key: 'doc:acme:handbook:d1' }),
          master_version: null,
        },
        { id: 'tenant:acme', parent_id: null, kind: 'tenant', context: JSON.stringify({ tenant: 'acme', warden_key: 'tenant:acme' }), master_version: 'v1' },
      ]);
      expect(await decryptUnder(new KeyHierarchy(db, master), 'acme', 'd1', ciphertext)).toEqual(text);
    });

    it('refuses a ciphertext whose encryption context names another document', async () => {
      const keys = new KeyHierarchy(db, master);
      const ciphertext = await encryptUnder(keys, 'acme', 'd1');
      const key = await keys.key(doc('acme', 'd1'));
      await expect(decryptWith(key.keyring(), ciphertext, chunkContext('acme', 'd2'))).rejects.toBeInstanceOf(EncryptionContextMismatchError);
      // And another document's key cannot open it at all.
      await expect(decryptUnder(keys, 'acme', 'd2', ciphertext)).rejects.toThrow();
    });

    it("refuses a wrapped key copied into another document's row", async () => {
      await new KeyHierarchy(db, master).key(doc('acme', 'd1'));
      await new KeyHierarchy(db, master).key(doc('acme', 'd2'));
      await db.query("UPDATE data_keys SET wrapped = (SELECT wrapped FROM data_keys WHERE id = 'doc:acme:handbook:d1') WHERE id = 'doc:acme:handbook:d2'");
      await expect(new KeyHierarchy(db, master).key(doc('acme', 'd2'))).rejects.toBeInstanceOf(EncryptionContextMismatchError);
    });

    it('refuses a scope whose kind or parent disagrees with the stored key', async () => {
      const keys = new KeyHierarchy(db, master);
      await keys.key(doc('acme', 'd1'));
      const moved: KeyScope = { ...doc('acme', 'd1'), parent: tenant('globex') };
      await expect(new KeyHierarchy(db, master).key(moved)).rejects.toBeInstanceOf(KeyScopeConflictError);
      await expect(new KeyHierarchy(db, master).key({ ...tenant('acme'), kind: 'memory' })).rejects.toBeInstanceOf(KeyScopeConflictError);
    });

    it('refuses a scope that sets the reserved warden_key context entry', async () => {
      await expect(new KeyHierarchy(db, master).key({ id: 'tenant:x', kind: 'tenant', context: { warden_key: 'tenant:y' } })).rejects.toThrow(/reserved/);
    });

    it('shreds a document: nothing decrypts its ciphertext again, not even a new key for the same scope', async () => {
      const keys = new KeyHierarchy(db, master);
      const ciphertext = await encryptUnder(keys, 'acme', 'd1');
      const kept = await encryptUnder(keys, 'acme', 'd2');
      expect(await keys.destroy('doc:acme:handbook:d1')).toBe(1);
      // A backup of the ciphertext is no help: a fresh instance (empty cache) recreates the key...
      const fresh = new KeyHierarchy(db, master);
      await expect(decryptUnder(fresh, 'acme', 'd1', ciphertext)).rejects.toThrow();
      // ...and so does the instance that destroyed it (its cache was evicted).
      await expect(decryptUnder(keys, 'acme', 'd1', ciphertext)).rejects.toThrow();
      // The new key works for new data; the sibling document is untouched.
      const again = await encryptUnder(fresh, 'acme', 'd1');
      expect(await decryptUnder(keys, 'acme', 'd1', again)).toEqual(text);
      expect(await decryptUnder(fresh, 'acme', 'd2', kept)).toEqual(text);
    });

    it('shreds a tenant together with every document key below it', async () => {
      const keys = new KeyHierarchy(db, master);
      const a1 = await encryptUnder(keys, 'acme', 'd1');
      const a2 = await encryptUnder(keys, 'acme', 'd2');
      const g1 = await encryptUnder(keys, 'globex', 'd1');
      expect(await keys.destroy('tenant:acme')).toBe(3);
      const { rows } = await db.query<{ id: string }>('SELECT id FROM data_keys ORDER BY id');
      expect(rows.map((r) => r.id)).toEqual(['doc:globex:handbook:d1', 'tenant:globex']);
      for (const instance of [keys, new KeyHierarchy(db, master)]) {
        await expect(decryptUnder(instance, 'acme', 'd1', a1)).rejects.toThrow();
        await expect(decryptUnder(instance, 'acme', 'd2', a2)).rejects.toThrow();
      }
      expect(await decryptUnder(keys, 'globex', 'd1', g1)).toEqual(text);
    });

    it('creates one key when the same scope is asked for concurrently, in one instance and across instances', async () => {
      const instances = [new KeyHierarchy(db, master), new KeyHierarchy(db, master), new KeyHierarchy(db, master)];
      const keys = await Promise.all(instances.flatMap((h) => Array.from({ length: 4 }, () => h.key(doc('acme', 'd1')))));
      const ciphertexts = await Promise.all(keys.map((k) => encryptWith(k.keyring(), text, chunkContext('acme', 'd1'))));
      for (const k of keys) {
        for (const c of ciphertexts) expect(await decryptWith(k.keyring(), c, chunkContext('acme', 'd1'))).toEqual(text);
      }
      const secrets = new Set(keys.map((k) => k.secret().toString('hex')));
      expect(secrets.size).toBe(1);
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM data_keys');
      expect(rows[0]?.n).toBe(2);
    });

    it('keeps at most cacheSize unwrapped keys, and re-reads an evicted key unchanged', async () => {
      const keys = new KeyHierarchy(db, master, { cacheSize: 3 });
      const first = await encryptUnder(keys, 'acme', 'd0');
      for (let i = 1; i < 6; i++) await keys.key(doc('acme', `d${i}`));
      expect(keys.cachedKeys).toBe(3);
      expect(await decryptUnder(keys, 'acme', 'd0', first)).toEqual(text);
      expect(keys.cachedKeys).toBe(3);
    });

    it('reports the master key and the keys by kind', async () => {
      const keys = new KeyHierarchy(db, master);
      await keys.key(doc('acme', 'd1'));
      await keys.key(doc('acme', 'd2'));
      await keys.key(doc('globex', 'd1'));
      expect(await keys.status()).toEqual({
        master: { description: master.describe(), activeVersion: 'v1', versions: [{ id: 'v1', active: true, rootKeys: 2 }] },
        keys: { tenant: 2, document: 3 },
      });
    });

    it('rotates root keys to the new master version in batches, readable throughout, reporting progress', async () => {
      const keys = new KeyHierarchy(db, master);
      const tenants = ['t1', 't2', 't3', 't4', 't5'];
      const ciphertexts = new Map<string, Buffer>();
      for (const t of tenants) ciphertexts.set(t, await encryptUnder(keys, t, 'd1'));

      await rotateKeyFile(keyFile);
      const rotated = await localMasterKeys(keyFile);
      const progress: [number, number][] = [];
      const rotatingKeys = new KeyHierarchy(db, rotated, { rotateBatchSize: 2 });
      const result = await rotatingKeys.rotate(rotated, async (done, total) => {
        progress.push([done, total]);
        if (done !== 2) return;
        // Mid-rotation two roots are on v2 and three still on v1: a fresh reader reads them all.
        const versions = (await rotatingKeys.status()).master.versions;
        expect(versions.map((v) => [v.id, v.rootKeys])).toEqual([
          ['v1', 3],
          ['v2', 2],
        ]);
        const reader = new KeyHierarchy(db, rotated);
        for (const t of tenants) expect(await decryptUnder(reader, t, 'd1', ciphertexts.get(t) as Buffer)).toEqual(text);
      });
      expect(result).toEqual({ rewrapped: 5, total: 5 });
      expect(progress).toEqual([
        [0, 5],
        [2, 5],
        [4, 5],
        [5, 5],
      ]);

      const status = await rotatingKeys.status();
      expect(status.master.activeVersion).toBe('v2');
      expect(status.master.versions).toEqual([
        { id: 'v1', active: false, rootKeys: 0 },
        { id: 'v2', active: true, rootKeys: 5 },
      ]);
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM data_keys WHERE parent_id IS NULL AND rewrapped_at IS NOT NULL');
      expect(rows[0]?.n).toBe(5);

      // v1 is no longer needed: master keys holding v2 alone read everything.
      const file = await readKeyFile(keyFile);
      const v2Only = localMasterKeysFrom({ versions: file.versions.filter((v) => v.id === 'v2'), active: 'v2' }, 'v2 only');
      const reader = new KeyHierarchy(db, v2Only);
      for (const t of tenants) expect(await decryptUnder(reader, t, 'd1', ciphertexts.get(t) as Buffer)).toEqual(text);
      // And a second rotation finds nothing to do.
      expect(await rotatingKeys.rotate(rotated)).toEqual({ rewrapped: 0, total: 0 });
      // Keys created after the rotation are wrapped under v2.
      await rotatingKeys.key(tenant('t6'));
      expect((await rotatingKeys.status()).master.versions.find((v) => v.id === 'v2')?.rootKeys).toBe(6);
    });

    it('lists root keys under a master version it does not hold', async () => {
      const keys = new KeyHierarchy(db, master);
      await keys.key(tenant('acme'));
      await rotateKeyFile(keyFile);
      const file = await readKeyFile(keyFile);
      const v2Only = localMasterKeysFrom({ versions: file.versions.filter((v) => v.id === 'v2'), active: 'v2' }, 'v2 only');
      expect((await new KeyHierarchy(db, v2Only).status()).master.versions).toEqual([
        { id: 'v2', active: true, rootKeys: 0 },
        { id: 'v1', active: false, rootKeys: 1 },
      ]);
      // Rotating without the old version cannot re-wrap, and says so instead of losing the key.
      await expect(new KeyHierarchy(db, v2Only).rotate(v2Only)).rejects.toThrow(/1 of 1 root keys could not be re-wrapped/);
      expect(await new KeyHierarchy(db, await localMasterKeys(keyFile)).rotate(await localMasterKeys(keyFile))).toEqual({ rewrapped: 1, total: 1 });
    });
  });
}
