import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyFileError, loadOrCreateKeyFile, readKeyFile, rotateKeyFile } from './local-keyfile.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-keyfile-'));
  file = join(dir, 'data', 'keyring.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

describe('local master key file', () => {
  it('is created on first use with one 32-byte version, readable by its owner only', async () => {
    const created = await loadOrCreateKeyFile(file);
    expect(created.active).toBe('v1');
    expect(created.versions).toHaveLength(1);
    expect(created.versions[0]?.key).toHaveLength(32);
    expect(await modeOf(file)).toBe(0o600);
    const json = JSON.parse(await readFile(file, 'utf8')) as { versions: { id: string; key: string; created_at: string }[]; active: string };
    expect(json.active).toBe('v1');
    expect(Buffer.from(json.versions[0]?.key ?? '', 'base64')).toEqual(created.versions[0]?.key);
    expect(Number.isNaN(Date.parse(json.versions[0]?.created_at ?? ''))).toBe(false);
  });

  it('returns the same key on the next load', async () => {
    const first = await loadOrCreateKeyFile(file);
    const second = await loadOrCreateKeyFile(file);
    expect(second.versions[0]?.key).toEqual(first.versions[0]?.key);
  });

  it('creates a single key when several callers race to create it', async () => {
    const all = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateKeyFile(file)));
    const keys = new Set(all.map((k) => k.versions[0]?.key.toString('hex')));
    expect(keys.size).toBe(1);
  });

  it('rotates to a new active version, keeping the old ones, still mode 0600', async () => {
    const first = await loadOrCreateKeyFile(file);
    const rotated = await rotateKeyFile(file);
    expect(rotated.active).toBe('v2');
    expect(rotated.versions.map((v) => v.id)).toEqual(['v1', 'v2']);
    expect(rotated.versions[0]?.key).toEqual(first.versions[0]?.key);
    expect(rotated.versions[1]?.key).not.toEqual(first.versions[0]?.key);
    expect(await modeOf(file)).toBe(0o600);
    expect((await rotateKeyFile(file)).active).toBe('v3');
    expect((await readKeyFile(file)).versions.map((v) => v.id)).toEqual(['v1', 'v2', 'v3']);
  });

  it('refuses a file that is not JSON', async () => {
    await loadOrCreateKeyFile(file);
    await writeFile(file, '{ not json');
    await expect(loadOrCreateKeyFile(file)).rejects.toThrow(KeyFileError);
    await expect(rotateKeyFile(file)).rejects.toThrow(/not valid JSON/);
  });

  it('refuses a key of the wrong length', async () => {
    const path = join(dir, 'keyring.json');
    await writeFile(path, JSON.stringify({ versions: [{ id: 'v1', key: Buffer.alloc(16).toString('base64') }], active: 'v1' }));
    await expect(loadOrCreateKeyFile(path)).rejects.toThrow(/must be 32 bytes/);
  });

  it('refuses an active version it does not hold', async () => {
    const path = join(dir, 'keyring.json');
    await writeFile(path, JSON.stringify({ versions: [{ id: 'v1', key: Buffer.alloc(32).toString('base64') }], active: 'v2' }));
    await expect(loadOrCreateKeyFile(path)).rejects.toThrow(/active version "v2" is not one of its versions/);
  });

  it('refuses a file without versions', async () => {
    const path = join(dir, 'keyring.json');
    await writeFile(path, JSON.stringify({ versions: [], active: 'v1' }));
    await expect(loadOrCreateKeyFile(path)).rejects.toThrow(KeyFileError);
  });
});
