import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { openApp, type App } from '../../src/app.js';

/** A temporary copy of the quickstart (so tests may edit its policies) and a data directory. */
export function tempQuickstart(): { configDir: string; dataDir: string; cleanup(): void } {
  const root = mkdtempSync(path.join(tmpdir(), 'warden-test-'));
  const configDir = path.join(root, 'config');
  cpSync('examples/quickstart', configDir, { recursive: true });
  return { configDir, dataDir: path.join(root, 'data'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The whole app on the quickstart, embedded, with logs captured in `lines`. */
export async function quickstartApp(): Promise<{ app: App; lines: string[]; configDir: string; dataDir: string; cleanup(): Promise<void> }> {
  const dirs = tempQuickstart();
  const lines: string[] = [];
  const logger = pino({ level: 'info', redact: { paths: ['args', '*.args'], censor: '[redacted]' } }, { write: (l: string) => void lines.push(l) });
  const app = await openApp({ config: dirs.configDir, dataDir: dirs.dataDir, logger });
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
