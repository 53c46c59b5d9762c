import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { openApp, type App } from '../../src/app.js';

/** A temporary copy of the quickstart (so tests may edit its policies) and a data directory. */
export function tempQuickstart(): { configDir: string; dataDir: string; cleanup(): void } {
  const root = mkdtempSync(path.join(tmpdir(), 'warden-test-'));
  // The whole examples folder: the quickstart spawns the MCP servers beside it.
  cpSync('examples', path.join(root, 'examples'), { recursive: true });
  symlinkSync(path.resolve('node_modules'), path.join(root, 'node_modules'), 'dir');
  const configDir = path.join(root, 'examples', 'quickstart');
  return { configDir, dataDir: path.join(root, 'data'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The whole app on the quickstart (or a configuration written into its place), embedded, with logs captured in `lines`. */
export async function quickstartApp(
  options: { config?: string; redisUrl?: string; redisPrefix?: string } = {},
): Promise<{ app: App; lines: string[]; configDir: string; dataDir: string; cleanup(): Promise<void> }> {
  const dirs = tempQuickstart();
  if (options.config !== undefined) writeFileSync(path.join(dirs.configDir, 'warden.yaml'), options.config);
  const lines: string[] = [];
  const logger = pino({ level: 'info', redact: { paths: ['args', '*.args'], censor: '[redacted]' } }, { write: (l: string) => void lines.push(l) });
  const app = await openApp({
    config: dirs.configDir,
    dataDir: dirs.dataDir,
    logger,
    ...(options.redisUrl ? { redisUrl: options.redisUrl, redisPrefix: options.redisPrefix ?? 'warden-test' } : {}),
  });
  return {
    app,
    lines,
    ...dirs,
    async cleanup() {
      await app.close();
      dirs.cleanup();
    },
  };
}
