import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { openApp } from '../src/app.js';
import { buildServer } from '../src/transports/http/server.js';
import { writeServerInfo } from '../src/backends/data-dir.js';
import { tempQuickstart } from './support/app.js';

let dirs: ReturnType<typeof tempQuickstart>;
beforeEach(() => {
  dirs = tempQuickstart();
});
afterEach(() => dirs.cleanup());

/** `warden mcp` as a child process, run from the TypeScript source, with the real SDK client. */
async function wardenMcp(agent: string): Promise<Client> {
  const client = new Client({ name: 'stdio-e2e', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', path.resolve('src/cli/run.ts'), 'mcp', '--agent', agent, '--config', dirs.configDir, '--data-dir', dirs.dataDir],
      env: { ...(process.env as Record<string, string>), WARDEN_LOG_LEVEL: 'error' },
      stderr: 'pipe',
    }),
  );
  return client;
}

describe('warden mcp (stdio)', () => {
  it('serves the agent its permitted tools and sends calls through the Gate, with no server running', async () => {
    const client = await wardenMcp('research-bot');
    try {
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['files.list', 'files.read', 'knowledge_search']);
      const read = await client.callTool({ name: 'files.read', arguments: { path: 'notes/q3.md' } });
      expect(read.isError).toBeFalsy();
      const denied = await client.callTool({ name: 'mail.send_email', arguments: { to: 'a@acme.example', subject: 's', body: 'b' } });
      expect(denied.isError).toBe(true);
      expect(JSON.stringify(denied.content)).toMatch(/Denied: denied by policy egress-only-from-prod-agents/);
    } finally {
      await client.close();
    }
  });

  it('relays to the running server when one holds the data directory', async () => {
    const app = await openApp({ config: dirs.configDir, dataDir: dirs.dataDir, logger: pino({ level: 'silent' }) });
    const server = buildServer(app);
    const url = await server.listen({ host: '127.0.0.1', port: 0 });
    const forget = writeServerInfo(dirs.dataDir, { url, pid: process.pid });
    const client = await wardenMcp('support-bot');
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('bank.get_balance');
      const result = await client.callTool({ name: 'bank.get_balance', arguments: { account: 'ACC-1' } });
      expect(result.structuredContent).toMatchObject({ account: 'ACC-1' });
      await app.ledger.flush();
      const { rows } = await app.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_ledger WHERE body LIKE '%bank.get_balance%'");
      expect(rows[0]?.n).toBeGreaterThanOrEqual(2);
    } finally {
      await client.close();
      forget();
      await server.close();
      await app.close();
    }
  });
});
