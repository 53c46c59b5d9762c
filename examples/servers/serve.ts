/**
 * What every example MCP server shares: stdio or Streamable HTTP (`--http <port>`, `0` picks a
 * free port, printed on stderr), and the call log — when WARDEN_UPSTREAM_CALL_LOG names a file,
 * every tools/call received (valid or not) is appended to it as one JSON line
 * {server, tool, arguments, at}, synchronously, before the server answers.
 *
 * Node runs these files directly with type stripping: erasable TypeScript only, and relative
 * imports name the `.ts` file.
 */
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** A tool result carrying the same data as structured content and as JSON text. */
export function ok(data: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(data) }], structuredContent: data };
}

/** The part of an MCP server (high- or low-level) this module drives. */
export interface McpLike {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}


function logToolCall(serverName: string, message: JSONRPCMessage): void {
  const file = process.env.WARDEN_UPSTREAM_CALL_LOG;
  if (!file || !('method' in message) || message.method !== 'tools/call') return;
  const params = (message.params ?? {}) as { name?: unknown; arguments?: unknown };
  const line = { server: serverName, tool: params.name, arguments: params.arguments ?? {}, at: new Date().toISOString() };
  appendFileSync(file, `${JSON.stringify(line)}\n`); // synchronous: visible before the response is sent
}

/** Wraps a transport so every incoming tools/call is logged before the server sees it. */
function withCallLog(serverName: string, inner: Transport): Transport {
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
    logToolCall(serverName, message);
    outer.onmessage?.(message, extra);
  };
  inner.onclose = () => outer.onclose?.();
  inner.onerror = (error) => outer.onerror?.(error);
  return outer;
}

function parsePort(serverName: string, argv: string[]): number | undefined {
  const i = argv.indexOf('--http');
  if (i === -1) return undefined;
  const port = Number(argv[i + 1]);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`usage: node ${process.argv[1] ?? serverName} [--http <port>]\n`);
    process.exit(2);
  }
  return port;
}

async function serveHttp(serverName: string, buildServer: () => McpLike, port: number): Promise<void> {
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
      .connect(withCallLog(serverName, transport))
      .then(() => transport.handleRequest(req, res))
      .catch((error: unknown) => {
        process.stderr.write(`[${serverName}] request failed: ${String(error)}\n`);
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
  process.stderr.write(`[${serverName}] MCP Streamable HTTP on http://127.0.0.1:${actual}/mcp\n`);
}

/**
 * Serves an MCP server built by `buildServer` on stdio, or with `--http <port>` on Streamable HTTP
 * (stateless: a fresh server per request, tool state at module level), logging every tools/call.
 */
export function runServer(serverName: string, buildServer: () => McpLike): void {
  const main = async (): Promise<void> => {
    const port = parsePort(serverName, process.argv.slice(2));
    if (port === undefined) {
      await buildServer().connect(withCallLog(serverName, new StdioServerTransport()));
      process.stderr.write(`[${serverName}] MCP server on stdio\n`);
    } else {
      await serveHttp(serverName, buildServer, port);
    }
  };
  main().catch((error: unknown) => {
    process.stderr.write(`[${serverName}] fatal: ${String(error)}\n`);
    process.exit(1);
  });
}
