import type { ToolResult } from '../core/ports.js';
import { httpFailure, UpstreamError } from './upstream-error.js';

/** Plain HTTP JSON tools: `POST <url>/<tool>` with the arguments as the body, a JSON object back. */
export class HttpUpstream {
  constructor(
    readonly id: string,
    private readonly url: string,
    private readonly fetchImpl: typeof fetch,
    private readonly headers: Record<string, string> = {},
  ) {}

  async call(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolResult> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.url.replace(/\/$/, '')}/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...this.headers },
        body: JSON.stringify(args),
        signal,
      });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new UpstreamError('transient', `upstream ${this.id} is unreachable: ${err instanceof Error ? err.message : String(err)}`);
    }
    const text = await response.text();
    if (!response.ok) {
      const { kind, delivered } = httpFailure(response.status);
      throw new UpstreamError(kind, `upstream ${this.id} answered ${response.status}`, delivered);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new UpstreamError('permanent', `upstream ${this.id} answered with invalid JSON`, true);
    }
    const structured = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : { value: body };
    return { content: [{ type: 'text', text }], structuredContent: structured };
  }
}
