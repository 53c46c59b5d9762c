import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, CallToolResultSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { openApp } from '../app.js';
import { dataFiles, readServerInfo } from '../backends/data-dir.js';
import { createLogger } from '../observe/decision-log.js';
import { createAgentMcpServer } from '../transports/mcp/agent-server.js';
import { resolveConfig, resolveDataDir, type CommonOptions } from './options.js';

/**
 * `warden mcp --agent <id>`: an MCP server on stdio for one agent. With a server running on the
 * data directory it relays to that server's /mcp (PGlite admits one process); otherwise it opens
 * the data directory itself. Logs go to stderr: stdout is the protocol.
 */
export async function mcpStdio(opts: CommonOptions & { agent: string }): Promise<number> {
  const dataDir = resolveDataDir(opts);
  const running = readServerInfo(dataDir);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));

  if (running) {
    const token = readFileSync(dataFiles(dataDir).adminToken, 'utf8').trim();
    const upstream = new Client({ name: 'warden-mcp-stdio', version: '0.1.0' });
    await upstream.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', running.url), { requestInit: { headers: { authorization: `Bearer ${token}`, 'x-warden-agent': opts.agent } } }),
    );
    const relay = new Server({ name: 'warden', version: '0.1.0' }, { capabilities: { tools: {} } });
    relay.setRequestHandler(ListToolsRequestSchema, (request, extra) => upstream.listTools(request.params, { signal: extra.signal }));
    relay.setRequestHandler(CallToolRequestSchema, async (request, extra) => (await upstream.request(request, CallToolResultSchema, { signal: extra.signal })) as CallToolResult);
    await relay.connect(transport);
    await closed;
    await upstream.close();
    return 0;
  }

  const logger = createLogger({ level: process.env.WARDEN_LOG_LEVEL ?? 'warn', destination: process.stderr });
  const app = await openApp({ config: resolveConfig(opts), dataDir, logger });
  const server = createAgentMcpServer(app, { agentId: opts.agent, credential: { kind: 'local' } });
  await server.connect(transport);
  await closed;
  await app.close();
  return 0;
}
