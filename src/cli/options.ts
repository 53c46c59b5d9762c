import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { WardenError } from '../core/errors.js';
import { dataFiles, defaultDataDir, readServerInfo, rememberedConfig } from '../backends/data-dir.js';
import { openApp } from '../app.js';
import { createLogger } from '../observe/decision-log.js';
import { directControl, remoteControl, type Control } from './control.js';

export interface CommonOptions {
  config?: string;
  dataDir?: string;
}

export function resolveDataDir(opts: CommonOptions): string {
  return opts.dataDir ? path.resolve(opts.dataDir) : defaultDataDir();
}

/** `--config`, then WARDEN_CONFIG, then ./warden.yaml, then the configuration the data directory was last served with. */
export function resolveConfig(opts: CommonOptions): string {
  if (opts.config) return opts.config;
  if (process.env.WARDEN_CONFIG) return process.env.WARDEN_CONFIG;
  if (existsSync('warden.yaml')) return 'warden.yaml';
  const remembered = rememberedConfig(resolveDataDir(opts));
  if (remembered) return remembered;
  throw new WardenError('config_invalid', 'No warden.yaml here; pass --config <file or directory> (e.g. --config examples/quickstart)');
}

/**
 * Through the running server when there is one on this data directory, directly otherwise.
 * `seedKnowledge`: ingest the knowledge bases' configured sources if that never happened (the
 * commands that search or change them ask for it; the others need not pay for it).
 */
export async function openControl(opts: CommonOptions, seedKnowledge = false): Promise<Control> {
  const dataDir = resolveDataDir(opts);
  const server = readServerInfo(dataDir);
  if (server) {
    const token = readFileSync(dataFiles(dataDir).adminToken, 'utf8').trim();
    return remoteControl(server.url, token);
  }
  const logger = createLogger({ level: process.env.WARDEN_LOG_LEVEL ?? 'warn', destination: process.stderr });
  return directControl(await openApp({ config: resolveConfig(opts), dataDir, logger, seedKnowledge }));
}
