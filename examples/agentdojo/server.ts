/**
 * `agentdojo`: one AgentDojo suite's tools as MCP servers that replay recorded outputs.
 *
 *   node examples/agentdojo/server.ts <dataset>/<version>/<suite>.json [--http <port>]
 *
 * Tool names, descriptions and JSON-schema parameters come from the suite file (`tools[]`). The
 * tools are split over two MCP endpoints on one Streamable HTTP server, so that Warden can give
 * each its own trust level: `/core/mcp` (the user's own systems: balances, sending, calendars
 * the agent writes…) and `/inbound/mcp` (tools whose outputs carry third-party text: files,
 * e-mails, messages, web pages, reviews). Which tool goes where is written by hand per suite in
 * ./suites.ts, from what the tool returns.
 *
 * What a call returns: the replay driver (bench/agentdojo.ts) loads one (user task, injection
 * task) pair at a time with `load()`: the recorded output of every ground-truth call of the pair,
 * keyed by (function, canonical JSON of the arguments), with the canaries put back — the attack
 * text in the vectors the pair injects, the suite's benign default elsewhere. The same key twice
 * in a pair returns its outputs in order (the last one again when they run out). A call with no
 * recorded output is a tool error, so a replay that drifted from the dataset shows.
 *
 * Run as a script, it serves the user tasks' outputs with every vector at its benign default.
 * Node runs it directly with type stripping (erasable TypeScript only).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** A tool as the suite file describes it. */
export interface ReplayTool {
  name: string;
  description: string;
  /** JSON-schema `properties`. */
  parameters: Record<string, unknown>;
  required: string[];
}

/** One recorded call: what it was called with and what it returned (canaries already replaced). */
export interface RecordedCall {
  function: string;
  args: Record<string, unknown>;
  output: string;
}

export interface ReplayServer {
  /** Base URL; the endpoints are `<url>/core/mcp` and `<url>/inbound/mcp`. */
  url: string;
  /** Replaces the outputs served with those of one pair. */
  load(calls: readonly RecordedCall[]): void;
  /** Calls that found no recorded output since the last load. */
  misses(): string[];
  close(): Promise<void>;
}

const CANARY = /<CANARY---([A-Za-z0-9_]+)--->/g;

/** The recorded text with each canary replaced by the vector's text (attack or benign default). */
export function renderOutput(excerpt: string, vectors: Readonly<Record<string, string>>): string {
  return excerpt.replace(CANARY, (whole, id: string) => vectors[id] ?? whole);
}

/** Canonical JSON (object keys sorted at every level): how a call's arguments are keyed. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export const callKey = (fn: string, args: Record<string, unknown>): string => `${fn}\u0000${canonical(args)}`;

/** Starts the replay server on 127.0.0.1 (`port` 0 picks a free one). */
export async function startReplayServer(options: { tools: readonly ReplayTool[]; inbound: ReadonlySet<string>; port?: number; name?: string }): Promise<ReplayServer> {
  const name = options.name ?? 'agentdojo';
  const groups: Record<string, ReplayTool[]> = { core: [], inbound: [] };
  for (const t of options.tools) groups[options.inbound.has(t.name) ? 'inbound' : 'core']!.push(t);
  let outputs = new Map<string, string[]>();
  let missed: string[] = [];

  const call = (tool: string, args: Record<string, unknown>): CallToolResult => {
    const queue = outputs.get(callKey(tool, args));
    if (!queue?.length) {
      missed.push(`${tool} ${canonical(args)}`);
      return { isError: true, content: [{ type: 'text', text: `no recorded output for ${tool} with these arguments` }] };
    }
    const text = queue.length > 1 ? queue.shift()! : queue[0]!;
    return { content: [{ type: 'text', text }] };
  };

  const build = (group: string): Server => {
    const server = new Server({ name: `${name}-${group}`, version: '0.1.0' }, { capabilities: { tools: {} } });
    const tools = groups[group]!;
    const known = new Set(tools.map((t) => t.name));
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: tools.map((t) => ({
        name: t.name,
        description: t.description,
        inputSchema: { type: 'object' as const, properties: t.parameters, required: t.required },
      })),
    }));
    server.setRequestHandler(CallToolRequestSchema, (req) => {
      const tool = req.params.name;
      if (!known.has(tool)) return { isError: true, content: [{ type: 'text', text: `unknown tool ${tool}` }] };
      return call(tool, req.params.arguments ?? {});
    });
    return server;
  };

  const http: HttpServer = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const group = /^\/(core|inbound)\/mcp$/.exec(path)?.[1];
    if (!group) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","error":{"code":-32000,"message":"Method not allowed."},"id":null}');
      return;
    }
    // Stateless: a fresh server and transport per request; the outputs live in this closure.
    const server = build(group);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    server
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch((error: unknown) => {
        process.stderr.write(`[${name}] request failed: ${String(error)}\n`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal server error"},"id":null}');
      });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    load(calls) {
      const next = new Map<string, string[]>();
      for (const c of calls) {
        const key = callKey(c.function, c.args);
        const queue = next.get(key);
        if (queue) queue.push(c.output);
        else next.set(key, [c.output]);
      }
      outputs = next;
      missed = [];
    },
    misses: () => [...missed],
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

// Run as a script: serve the suite's user-task outputs with every injection vector at its default.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  const portAt = process.argv.indexOf('--http');
  if (!file) {
    process.stderr.write('usage: node examples/agentdojo/server.ts <suite.json> [--http <port>]\n');
    process.exit(2);
  }
  const { inboundTools } = await import('./suites.ts');
  const suite = JSON.parse(readFileSync(file, 'utf8')) as {
    suite: string;
    tools: ReplayTool[];
    injection_vector_defaults: Record<string, string>;
    user_tasks: Array<{ calls: Array<{ function: string; args: Record<string, unknown>; output_excerpt: string }> }>;
  };
  const server = await startReplayServer({ tools: suite.tools, inbound: inboundTools(suite.suite), port: portAt === -1 ? 0 : Number(process.argv[portAt + 1]), name: suite.suite });
  server.load(suite.user_tasks.flatMap((u) => u.calls.map((c) => ({ function: c.function, args: c.args, output: renderOutput(c.output_excerpt, suite.injection_vector_defaults) }))));
  process.stderr.write(`[${suite.suite}] MCP Streamable HTTP on ${server.url}/core/mcp and ${server.url}/inbound/mcp\n`);
}
