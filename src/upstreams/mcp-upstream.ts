import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, ListToolsResultSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ToolResult } from '../core/ports.js';
import { classifyToolError, UpstreamError } from './upstream-error.js';

export interface McpConnection {
  transport: 'stdio' | 'streamable-http';
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  url?: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/** One upstream MCP server: connected lazily, reconnected after its process or connection dies. */
export class McpUpstream {
  private client: Promise<Client> | undefined;
  private tools: Tool[] | undefined;

  constructor(
    readonly id: string,
    private readonly connection: McpConnection,
    private readonly onEvent: (event: string, detail?: Record<string, unknown>) => void = () => {},
  ) {}

  /** Connects (spawning a stdio server) if needed; callers bound it with their own timeout. */
  connect(): Promise<Client> {
    this.client ??= (async () => {
      const client = new Client({ name: 'warden', version: '0.1.0' });
      const c = this.connection;
      const transport =
        c.transport === 'stdio'
          ? new StdioClientTransport({
              command: c.command!,
              args: c.args ?? [],
              env: { ...(process.env as Record<string, string>), ...c.env },
              ...(c.cwd ? { cwd: c.cwd } : {}),
              stderr: 'inherit',
            })
          : new StreamableHTTPClientTransport(new URL(c.url!), {
              ...(c.headers ? { requestInit: { headers: c.headers } } : {}),
              ...(c.fetch ? { fetch: c.fetch } : {}),
            });
      // Supervision: when the process exits or the connection drops, the next call reconnects.
      client.onclose = () => {
        this.client = undefined;
        this.onEvent('upstream_disconnected');
      };
      try {
        await client.connect(transport);
      } catch (err) {
        this.client = undefined;
        throw new UpstreamError('transient', `cannot connect to upstream ${this.id}: ${message(err)}`);
      }
      this.onEvent('upstream_connected');
      return client;
    })();
    return this.client;
  }

  /** The upstream's tools (cached after the first successful listing). */
  async listTools(signal?: AbortSignal): Promise<Tool[]> {
    if (this.tools) return this.tools;
    const client = await this.connect();
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.request({ method: 'tools/list', params: cursor ? { cursor } : {} }, ListToolsResultSchema, requestOptions(signal));
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    this.tools = tools;
    return tools;
  }

  /**
   * Calls a tool. The raw result is returned unvalidated (Warden validates output itself); a tool
   * error that says it is throttled or transient is thrown so the retry policy can act on it.
   */
  async call(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolResult> {
    const client = await this.connect();
    let result;
    try {
      result = await client.request({ method: 'tools/call', params: { name, arguments: args } }, CallToolResultSchema, requestOptions(signal));
    } catch (err) {
      if (signal.aborted) throw err;
      // The request was sent: the tool may have run before the connection failed.
      throw new UpstreamError('transient', `upstream ${this.id} failed: ${message(err)}`, true);
    }
    if (result.isError) {
      const text = JSON.stringify(result.content ?? []) + JSON.stringify(result.structuredContent ?? {});
      const kind = classifyToolError(text);
      if (kind) throw new UpstreamError(kind, `upstream ${this.id} tool ${name}: ${kind}`);
    }
    return {
      content: (result.content ?? []) as unknown[],
      ...(result.structuredContent ? { structuredContent: result.structuredContent } : {}),
      ...(result.isError ? { isError: true } : {}),
    };
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await (await client.catch(() => undefined))?.close().catch(() => {});
  }
}

function requestOptions(signal?: AbortSignal) {
  // Warden's own timeout policy governs; the SDK's default of 60 s must not cut in first.
  return { ...(signal ? { signal } : {}), timeout: 24 * 60 * 60 * 1000 };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
