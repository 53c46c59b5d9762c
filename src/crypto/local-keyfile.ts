import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The embedded shape's master key: `<dataDir>/keyring.json`, one AES-256 key per version. Old
 * versions stay in the file so that root keys wrapped before a rotation remain readable until
 * `KeyHierarchy.rotate` has re-wrapped them.
 */

export interface KeyFileVersion {
  id: string;
  key: Buffer;
  createdAt: string;
}

export interface KeyFile {
  versions: KeyFileVersion[];
  active: string;
}

export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
}

const KEY_BYTES = 32;
const FILE_MODE = 0o600;
const VERSION_ID = /^v(\d+)$/;

/** Reads `file`, or creates it with a fresh `v1` when it does not exist. */
export async function loadOrCreateKeyFile(file: string): Promise<KeyFile> {
  const existing = await readKeyFile(file).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  if (existing) return existing;
  const created: KeyFile = { versions: [newVersion(1)], active: 'v1' };
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  // Written in full under a temporary name, then hard-linked into place: `link` fails when the file
  // exists, so two processes starting at once cannot both create (and one overwrite) the master key.
  const tmp = tempName(file);
  await writeFile(tmp, serialize(created), { mode: FILE_MODE, flag: 'wx' });
  try {
    await link(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readKeyFile(file); // the other process won; use its key
  } finally {
    await unlink(tmp).catch(() => {});
  }
  return created;
}

/** Adds `v<n+1>` and makes it active; atomic (temp file + rename), so a crash leaves the old file. */
export async function rotateKeyFile(file: string): Promise<KeyFile> {
  const current = await readKeyFile(file);
  const highest = Math.max(...current.versions.map((v) => Number(VERSION_ID.exec(v.id)?.[1] ?? 0)));
  const next = newVersion(highest + 1);
  const rotated: KeyFile = { versions: [...current.versions, next], active: next.id };
  const tmp = tempName(file);
  await writeFile(tmp, serialize(rotated), { mode: FILE_MODE, flag: 'wx' });
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  return rotated;
}

/** Reads and validates `file`; a damaged key file is refused rather than half-used. */
export async function readKeyFile(file: string): Promise<KeyFile> {
  const text = await readFile(file, 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new KeyFileError(`master key file ${file} is not valid JSON`);
  }
  return parseKeyFile(raw, file);
}

function parseKeyFile(raw: unknown, file: string): KeyFile {
  const fail = (why: string): never => {
    throw new KeyFileError(`master key file ${file}: ${why}`);
  };
  if (!isObject(raw) || !Array.isArray(raw.versions) || raw.versions.length === 0) fail('expected {versions: [...], active}');
  const record = raw as { versions: unknown[]; active?: unknown };
  const versions = record.versions.map((v, i): KeyFileVersion => {
    if (!isObject(v) || typeof v.id !== 'string' || typeof v.key !== 'string') return fail(`version #${i + 1} needs string id and key`);
    const key = Buffer.from(v.key, 'base64');
    // Buffer.from ignores junk in base64; re-encoding catches a truncated or mangled key.
    if (key.length !== KEY_BYTES || key.toString('base64') !== v.key.trim()) {
      return fail(`version ${v.id}: key must be ${KEY_BYTES} bytes of base64`);
    }
    return { id: v.id, key, createdAt: typeof v.created_at === 'string' ? v.created_at : '' };
  });
  if (new Set(versions.map((v) => v.id)).size !== versions.length) fail('duplicate version ids');
  if (typeof record.active !== 'string' || !versions.some((v) => v.id === record.active)) {
    fail(`active version ${JSON.stringify(record.active)} is not one of its versions`);
  }
  return { versions, active: record.active as string };
}

function newVersion(n: number): KeyFileVersion {
  return { id: `v${n}`, key: randomBytes(KEY_BYTES), createdAt: new Date().toISOString() };
}

function serialize(file: KeyFile): string {
  const versions = file.versions.map((v) => ({ id: v.id, key: v.key.toString('base64'), created_at: v.createdAt }));
  return `${JSON.stringify({ versions, active: file.active }, null, 2)}\n`;
}

function tempName(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
