import { openTempApp, type TempApp } from './temp-app.js';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

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
export function quickstartApp(options: { config?: string; redisUrl?: string; redisPrefix?: string } = {}): Promise<TempApp> {
  return openTempApp({ quickstart: true, ...options });
}
