import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WardenError } from '../core/errors.js';

/** Files Warden keeps in its data directory. */
export const dataFiles = (dir: string) => ({
  pgdata: path.join(dir, 'pgdata'),
  adminToken: path.join(dir, 'admin.token'),
  signingKey: path.join(dir, 'ledger-signing.key'),
  delegationKey: path.join(dir, 'delegation-signing.key'),
  keyring: path.join(dir, 'keyring.json'),
  knowledgeSeeded: path.join(dir, 'knowledge-seeded.json'),
  lock: path.join(dir, 'warden.lock'),
  server: path.join(dir, 'server.json'),
  configPath: path.join(dir, 'config-path'),
});

export function defaultDataDir(): string {
  return path.resolve(process.env.WARDEN_DATA_DIR ?? '.warden');
}

export function ensureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite admits one process per data directory: whoever opens it holds this lock file. A lock left
 * by a process that died is taken over.
 */
export function acquireLock(dir: string): () => void {
  const file = dataFiles(dir).lock;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new WardenError('data_dir_locked', `The data directory ${dir} is in use by process ${holder}`);
      }
      rmSync(file, { force: true });
    }
  }
  throw new WardenError('data_dir_locked', `Cannot lock the data directory ${dir}`);
}

export interface ServerInfo {
  url: string;
  pid: number;
}

/** The running server on this data directory, if there is one. */
export function readServerInfo(dir: string): ServerInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(dataFiles(dir).server, 'utf8')) as ServerInfo;
    return isAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

export function writeServerInfo(dir: string, info: ServerInfo): () => void {
  const file = dataFiles(dir).server;
  writeFileSync(file, JSON.stringify(info), { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

export function rememberConfig(dir: string, configFile: string): void {
  writeFileSync(dataFiles(dir).configPath, configFile, { mode: 0o600 });
}

export function rememberedConfig(dir: string): string | undefined {
  try {
    return readFileSync(dataFiles(dir).configPath, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The knowledge bases already seeded from their configured sources, so a base emptied on purpose stays empty. */
export function readSeeded(file: string): Set<string> {
  try {
    const ids: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return new Set(Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : []);
  } catch {
    return new Set();
  }
}

export function writeSeeded(file: string, ids: string[]): void {
  writeFileSync(file, JSON.stringify([...new Set(ids)].sort()), { mode: 0o600 });
}
