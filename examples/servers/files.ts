/**
 * `files`: a small in-memory MCP file store for the Warden quickstart and tests.
 *
 *   node examples/servers/files.ts              # MCP over stdio
 *   node examples/servers/files.ts --http 7303  # MCP Streamable HTTP at http://127.0.0.1:7303/mcp
 *
 * `--http 0` picks a free port; the URL is printed on stderr.
 * When WARDEN_UPSTREAM_CALL_LOG names a file, every tools/call this server receives
 * (valid or not) is appended to it as one JSON line {server, tool, arguments, at}.
 *
 * Paths are relative and '/'-separated; absolute paths and '..' segments are refused with
 * a tool error (isError result), never resolved.
 *
 * Self-contained on purpose: Node runs it directly with type stripping, so the file uses
 * erasable TypeScript only and imports nothing relative.
 */
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const SERVER_NAME = 'files';
const SERVER_VERSION = '0.1.0';

// ---------------------------------------------------------------------------
// In-memory state (module level, so it is shared by every HTTP request)
// ---------------------------------------------------------------------------

const files = new Map<string, string>([
  ['notes/q3.md', '# Q3 planning\n\n- Close the Globex renewal (INV-0042 paid)\n- Hosting budget: EUR 1,850/month\n- Hire two support engineers\n'],
  ['notes/standup.md', '# Standup 2024-09-12\n\nSupport queue is down to 14 tickets. No blockers.\n'],
  ['handbook/expenses.md', '# Expense policy\n\nTransfers above EUR 1,000 need a second approver.\n'],
  ['reports/2024-09-revenue.csv', 'date,customer,amount_eur\n2024-09-05,Globex Ltd,9400\n2024-09-01,Initech plc,1200\n'],
]);

/** Normalises a relative path; refuses anything that could escape the store. */
function safePath(input: string): string {
  const refused = (): never => {
    throw new Error(`path traversal refused: ${JSON.stringify(input)}`);
  };
  if (input.includes('\0') || input.includes('\\') || input.startsWith('/') || /^[A-Za-z]:/.test(input)) refused();
  const segments = input.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) refused();
  return segments.join('/');
}

// ---------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------

/** A tool result carrying the same data as structured content and as JSON text. */
function ok(data: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(data) }], structuredContent: data };
}

function buildServer(): McpServer {
  const server = new McpServer({ name: SERVER_NAME, version: SERVER_VERSION });

  server.registerTool(
    'read',
    {
      title: 'Read file',
      description: 'Content of one file.',
      inputSchema: { path: z.string().min(1).describe('Relative path, e.g. notes/q3.md') },
      outputSchema: { path: z.string(), content: z.string() },
      annotations: { readOnlyHint: true },
    },
    ({ path }) => {
      const key = safePath(path);
      const content = files.get(key);
      if (content === undefined) throw new Error(`no such file: ${key}`);
      return ok({ path: key, content });
    },
  );

  server.registerTool(
    'list',
    {
      title: 'List files',
      description: 'Paths of all files, optionally only those starting with a prefix, sorted.',
      inputSchema: { prefix: z.string().optional().describe('Path prefix, e.g. notes/') },
      outputSchema: { files: z.array(z.string()) },
      annotations: { readOnlyHint: true },
    },
    ({ prefix }) => {
      if (prefix !== undefined) safePath(prefix);
      const list = [...files.keys()].filter((p) => prefix === undefined || p.startsWith(prefix)).sort();
      return ok({ files: list });
    },
  );

  server.registerTool(
    'delete',
    {
      title: 'Delete file',
      description: 'Delete one file. Irreversible.',
      inputSchema: { path: z.string().min(1).describe('Relative path, e.g. notes/q3.md') },
      outputSchema: { deleted: z.literal(true), path: z.string() },
      annotations: { destructiveHint: true },
    },
    ({ path }) => {
      const key = safePath(path);
      if (!files.delete(key)) throw new Error(`no such file: ${key}`);
      return ok({ deleted: true, path: key });
    },
  );

  return server;
}

// ---------------------------------------------------------------------------
// Call log + transports (same block in every example server)
// ---------------------------------------------------------------------------

function logToolCall(message: JSONRPCMessage): void {
  const file = process.env.WARDEN_UPSTREAM_CALL_LOG;
  if (!file || !('method' in message) || message.method !== 'tools/call') return;
  const params = (message.params ?? {}) as { name?: unknown; arguments?: unknown };
  const line = { server: SERVER_NAME, tool: params.name, arguments: params.arguments ?? {}, at: new Date().toISOString() };
  appendFileSync(file, `${JSON.stringify(line)}\n`); // synchronous: visible before the response is sent
}

/** Wraps a transport so every incoming tools/call is logged before the server sees it. */
function withCallLog(inner: Transport): Transport {
  const outer: Transport = {
    start: () => inner.start(),
    send: (message, options) => inner.send(message, options),
    close: () => inner.close(),
    get sessionId() {
      return inner.sessionId;
    },
    setProtocolVersion: (version) => inner.setProtocolVersion?.(version),
  };
  inner.onmessage = (message, extra) => {
    logToolCall(message);
    outer.onmessage?.(message, extra);
  };
  inner.onclose = () => outer.onclose?.();
  inner.onerror = (error) => outer.onerror?.(error);
  return outer;
}

function parsePort(argv: string[]): number | undefined {
  const i = argv.indexOf('--http');
  if (i === -1) return undefined;
  const port = Number(argv[i + 1]);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`usage: node ${process.argv[1] ?? SERVER_NAME} [--http <port>]\n`);
    process.exit(2);
  }
  return port;
}

async function serveHttp(port: number): Promise<void> {
  const httpServer = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path !== '/mcp') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    if (req.method !== 'POST') {
      // Stateless server: no standalone SSE stream (GET) and no sessions to delete (DELETE).
      res
        .writeHead(405, { allow: 'POST', 'content-type': 'application/json' })
        .end('{"jsonrpc":"2.0","error":{"code":-32000,"message":"Method not allowed."},"id":null}');
      return;
    }
    // Stateless mode: a fresh server + transport per request; tool state lives at module level.
    const server = buildServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    server
      .connect(withCallLog(transport))
      .then(() => transport.handleRequest(req, res))
      .catch((error: unknown) => {
        process.stderr.write(`[${SERVER_NAME}] request failed: ${String(error)}\n`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal server error"},"id":null}');
      });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, '127.0.0.1', () => resolve());
  });
  const address = httpServer.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  process.stderr.write(`[${SERVER_NAME}] MCP Streamable HTTP on http://127.0.0.1:${actual}/mcp\n`);
}

async function main(): Promise<void> {
  const port = parsePort(process.argv.slice(2));
  if (port === undefined) {
    await buildServer().connect(withCallLog(new StdioServerTransport()));
    process.stderr.write(`[${SERVER_NAME}] MCP server on stdio\n`);
  } else {
    await serveHttp(port);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[${SERVER_NAME}] fatal: ${String(error)}\n`);
  process.exit(1);
});
