import { Ajv, type ValidateFunction } from 'ajv';
import type { Action } from '../core/action.js';
import { isPlainObject } from '../core/context.js';
import type { Execution, Executor, OutputInspector, ToolResult } from '../core/ports.js';
import type { ToolConfig, UpstreamConfig } from '../config/schema.js';
import { HttpUpstream } from './http-upstream.js';
import { McpUpstream } from './mcp-upstream.js';
import { Resilience, type ResilienceEvent } from './resilience.js';
import type { Dispatcher } from 'undici';
import { dispatcherFor, fetchOver } from './tls-fetch.js';
import { UpstreamError } from './upstream-error.js';

interface Upstream {
  config: UpstreamConfig;
  client: McpUpstream | HttpUpstream;
  resilience: Resilience;
  dispatcher: Dispatcher;
}

export type UpstreamEvent = { upstream: string; event: string } & Record<string, unknown>;

/** A tool as agents see it: the configured tool, with the upstream's description and schemas. */
export interface ToolDescriptor {
  id: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
}

/**
 * The configured upstreams: executes allowed tool calls through each upstream's resilience
 * policies, and validates what comes back against the tool's output schema (compiled once).
 */
export class UpstreamRegistry implements Executor, OutputInspector {
  private readonly upstreams = new Map<string, Upstream>();
  private readonly tools: Map<string, ToolConfig>;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  /** Each MCP upstream's tool list, fetched once: its output schemas are compiled before the first call. */
  private readonly listed = new Map<string, Promise<Map<string, ListedTool> | undefined>>();

  constructor(
    upstreams: readonly UpstreamConfig[],
    tools: readonly ToolConfig[],
    private readonly configDir: string,
    private readonly onEvent: (event: UpstreamEvent) => void = () => {},
  ) {
    this.tools = new Map(tools.map((t) => [t.id, t]));
    for (const u of upstreams) this.upstreams.set(u.id, this.build(u));
    for (const t of tools) if (t.output_schema) this.validators.set(t.id, this.ajv.compile(t.output_schema));
  }

  private build(config: UpstreamConfig): Upstream {
    const emit = (event: string, detail: Record<string, unknown> = {}) => this.onEvent({ upstream: config.id, event, ...detail });
    const dispatcher = dispatcherFor(config.tls, this.configDir);
    const client =
      config.transport === 'http'
        ? new HttpUpstream(config.id, config.url!, dispatcher, config.headers)
        : new McpUpstream(
            config.id,
            {
              transport: config.transport,
              // `node` means the Node.js running Warden, so the example servers run as it does.
              ...(config.command ? { command: config.command === 'node' ? process.execPath : config.command } : {}),
              args: config.args,
              ...(config.env ? { env: config.env } : {}),
              cwd: this.configDir,
              ...(config.url ? { url: config.url } : {}),
              ...(config.headers ? { headers: config.headers } : {}),
              ...(config.tls ? { fetch: fetchOver(dispatcher) } : {}),
            },
            emit,
          );
    const resilience = new Resilience({
      timeoutMs: config.timeout_ms,
      maxAttempts: config.retry.max_attempts,
      baseDelayMs: config.retry.base_delay_ms,
      maxDelayMs: config.retry.max_delay_ms,
      breakerFailures: config.breaker.consecutive_failures,
      halfOpenAfterMs: config.breaker.half_open_after_ms,
      maxConcurrency: config.max_concurrency,
      onEvent: (e: ResilienceEvent) => emit(e.kind === 'retry' ? 'retry' : `breaker_${e.state}`, e.kind === 'retry' ? { attempt: e.attempt, delayMs: e.delayMs, error: e.error } : {}),
    });
    return { config, client, resilience, dispatcher };
  }

  /** The upstream a tool id belongs to (`bank.send_money` → `bank`), and the tool's own name. */
  private route(toolId: string): { upstream: Upstream; name: string } | undefined {
    const dot = toolId.indexOf('.');
    const upstream = this.upstreams.get(toolId.slice(0, dot));
    return upstream && this.tools.has(toolId) ? { upstream, name: toolId.slice(dot + 1) } : undefined;
  }

  trustOf(toolId: string): 'trusted' | 'untrusted' | undefined {
    return this.route(toolId)?.upstream.config.trust;
  }

  breakerState(upstreamId: string): string | undefined {
    return this.upstreams.get(upstreamId)?.resilience.breakerState;
  }

  async execute(action: Action, signal?: AbortSignal): Promise<Execution> {
    const started = performance.now();
    const route = this.route(action.resource);
    const durationMs = () => Math.round(performance.now() - started);
    if (!route) return { outcome: 'upstream_error', attempts: 0, durationMs: 0, error: `no upstream serves ${action.resource}` };
    const args = isPlainObject(action.context.args) ? action.context.args : {};
    const { client, resilience, config } = route.upstream;
    if (client instanceof McpUpstream) {
      // Connecting (spawning) has its own allowance, not the attempt's; and without the upstream's
      // tool list its output schemas are unknown, so nothing runs (fail closed).
      const ready = await withTimeout(client.connect(), Math.max(config.timeout_ms, CONNECT_TIMEOUT_MS)).catch(() => false);
      const listed = ready && (await this.toolsOf(route.upstream, signal));
      if (!listed) return { outcome: 'upstream_error', attempts: 0, durationMs: durationMs(), error: `upstream ${config.id} is not reachable or did not list its tools` };
    }
    const idempotent = !this.tools.get(action.resource)?.side_effects;
    const run = await resilience.run((attemptSignal) => client.call(route.name, args, attemptSignal), signal, idempotent);
    if (run.ok) return { outcome: run.value.isError ? 'tool_error' : 'success', result: run.value, attempts: run.attempts, durationMs: durationMs() };
    const error = run.error instanceof UpstreamError ? run.error.message : run.error instanceof Error ? run.error.message : 'upstream failure';
    const outcome = run.failure === 'timeout' ? 'timeout' : run.failure === 'breaker_open' ? 'breaker_open' : run.failure === 'busy' ? 'busy' : 'upstream_error';
    return { outcome, attempts: run.attempts, durationMs: durationMs(), error };
  }

  inspect(action: Action, result: ToolResult): { ok: true } | { ok: false; error: string } {
    const validate = this.validators.get(action.resource);
    if (!validate || result.isError) return { ok: true };
    if (result.structuredContent === undefined) return { ok: false, error: 'the tool declares an output schema but returned no structured content' };
    if (validate(result.structuredContent)) return { ok: true };
    return { ok: false, error: `output does not match the tool's schema: ${this.ajv.errorsText(validate.errors)}` };
  }

  /**
   * Descriptors of the configured tools, with the upstream's descriptions and schemas where it is
   * an MCP server. An MCP `outputSchema` is compiled once, unless the configuration set its own.
   */
  async describe(toolIds: readonly string[], signal?: AbortSignal): Promise<ToolDescriptor[]> {
    const byUpstream = new Map<string, string[]>();
    for (const id of toolIds) {
      const route = this.route(id);
      if (route) byUpstream.set(route.upstream.config.id, [...(byUpstream.get(route.upstream.config.id) ?? []), id]);
    }
    const out: ToolDescriptor[] = [];
    for (const [upstreamId, ids] of byUpstream) {
      const upstream = this.upstreams.get(upstreamId)!;
      const listed = (await this.toolsOf(upstream, signal)) ?? new Map<string, ListedTool>();
      for (const id of ids) {
        const config = this.tools.get(id)!;
        const tool = listed.get(id.slice(upstreamId.length + 1));
        const outputSchema = config.output_schema ?? tool?.outputSchema;
        out.push({
          id,
          ...(config.description ?? tool?.description ? { description: config.description ?? tool?.description } : {}),
          inputSchema: tool?.inputSchema ?? argsSchema(config),
          ...(outputSchema ? { outputSchema } : {}),
        });
      }
    }
    return out;
  }

  /** An MCP upstream's tools, listed once; undefined when listing failed (tried again next time). */
  private toolsOf(upstream: Upstream, signal?: AbortSignal): Promise<Map<string, ListedTool> | undefined> {
    const client = upstream.client;
    if (!(client instanceof McpUpstream)) return Promise.resolve(new Map());
    let listing = this.listed.get(upstream.config.id);
    if (!listing) {
      listing = upstream.resilience.run((s) => client.listTools(s), signal).then((run) => {
        if (!run.ok) {
          this.listed.delete(upstream.config.id);
          return undefined;
        }
        const tools = new Map(run.value.map((t) => [t.name, t as ListedTool]));
        for (const [name, tool] of tools) {
          const id = `${upstream.config.id}.${name}`;
          if (tool.outputSchema && this.tools.has(id) && !this.validators.has(id)) this.validators.set(id, this.ajv.compile(tool.outputSchema));
        }
        return tools;
      });
      this.listed.set(upstream.config.id, listing);
    }
    return listing;
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.upstreams.values()].map(async (u) => {
        if (u.client instanceof McpUpstream) await u.client.close();
        await u.dispatcher.close().catch(() => {});
      }),
    );
  }
}

/** How long spawning or connecting an upstream may take, at least. */
const CONNECT_TIMEOUT_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)));
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

interface ListedTool {
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
}

const JSON_TYPES: Record<string, Record<string, unknown>> = {
  string: { type: 'string' },
  long: { type: 'integer' },
  boolean: { type: 'boolean' },
  strings: { type: 'array', items: { type: 'string' } },
};

function argsSchema(tool: ToolConfig): Record<string, unknown> {
  return { type: 'object', properties: Object.fromEntries(Object.entries(tool.args).map(([k, t]) => [k, JSON_TYPES[t]])) };
}

