import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { stringify } from 'yaml';
import { openApp, type App } from '../../src/app.js';
import type { SqlClient } from '../../src/backends/sql/sql-client.js';
import { tempQuickstart } from './app.js';

export interface TempAppOptions {
  /** warden.yaml: YAML text, or an object written as YAML. Omitted: the quickstart's own (with `quickstart`). */
  config?: string | Record<string, unknown>;
  /** Files to write before the app opens, by path relative to the configuration directory (policies, PEMs…). */
  files?: Record<string, string>;
  /** Start from a temporary copy of the quickstart instead of an empty configuration directory. */
  quickstart?: boolean;
  redisUrl?: string;
  redisPrefix?: string;
  /** Ingest the configured knowledge-base sources on open (the quickstart's handbook). */
  seedKnowledge?: boolean;
}

export interface TempApp {
  app: App;
  /** The app's log lines (JSON), as pino wrote them. */
  lines: string[];
  configDir: string;
  dataDir: string;
  cleanup(): Promise<void>;
}

/**
 * Like quickstartApp, but every file (configuration, policies, certificates) is written before the
 * app opens, so a test can bring its own policy directory.
 */
export async function openTempApp(options: TempAppOptions): Promise<TempApp> {
  let dirs: { configDir: string; dataDir: string; cleanup(): void };
  if (options.quickstart) {
    dirs = tempQuickstart();
  } else {
    const root = mkdtempSync(path.join(tmpdir(), 'warden-test-'));
    const configDir = path.join(root, 'config');
    mkdirSync(configDir, { recursive: true });
    dirs = { configDir, dataDir: path.join(root, 'data'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
  }
  try {
    if (options.config !== undefined) {
      const text = typeof options.config === 'string' ? options.config : stringify(options.config);
      writeFileSync(path.join(dirs.configDir, 'warden.yaml'), text);
    }
    for (const [file, content] of Object.entries(options.files ?? {})) {
      const target = path.join(dirs.configDir, file);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    const lines: string[] = [];
    const logger = pino({ level: 'info', redact: { paths: ['args', '*.args'], censor: '[redacted]' } }, { write: (l: string) => void lines.push(l) });
    const app = await openApp({
      config: dirs.configDir,
      dataDir: dirs.dataDir,
      logger,
      ...(options.seedKnowledge ? { seedKnowledge: true } : {}),
      ...(options.redisUrl ? { redisUrl: options.redisUrl, redisPrefix: options.redisPrefix ?? 'warden-test' } : {}),
    });
    return {
      app,
      lines,
      configDir: dirs.configDir,
      dataDir: dirs.dataDir,
      async cleanup() {
        await app.close();
        dirs.cleanup();
      },
    };
  } catch (err) {
    dirs.cleanup();
    throw err;
  }
}

/** The record the ledger holds at `seq` (after flushing what is buffered). */
export async function ledgerRecord(app: { ledger: { flush(): Promise<void> }; db: SqlClient }, seq: number): Promise<Record<string, unknown> & { execution?: Record<string, unknown> }> {
  await app.ledger.flush();
  const { rows } = await app.db.query<{ body: string }>('SELECT body FROM audit_ledger WHERE seq = $1', [seq]);
  if (!rows[0]) throw new Error(`no ledger entry at seq ${seq}`);
  return (JSON.parse(rows[0].body) as { record: Record<string, unknown> & { execution?: Record<string, unknown> } }).record;
}

/** The ledger entry recording what happened after the decision at `decisionSeq`. */
export async function executionRecord(app: { ledger: { flush(): Promise<void> }; db: SqlClient }, decisionSeq: number): Promise<Record<string, unknown> & { execution?: Record<string, unknown> }> {
  await app.ledger.flush();
  const { rows } = await app.db.query<{ body: string }>('SELECT body FROM audit_ledger WHERE body LIKE $1', [`%"decisionSeq":${decisionSeq},%`]);
  if (!rows[0]) throw new Error(`no execution entry follows the decision at seq ${decisionSeq}`);
  return (JSON.parse(rows[0].body) as { record: Record<string, unknown> & { execution?: Record<string, unknown> } }).record;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
