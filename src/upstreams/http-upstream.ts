import { request, type Dispatcher } from 'undici';
import type { ToolResult } from '../core/ports.js';
import { httpFailure, UpstreamError } from './upstream-error.js';

/**
 * Plain HTTP JSON tools: `POST <url>/<tool>` with the arguments as the body, a JSON object back.
 * undici's `request` rather than `fetch`: the same pool, without the WHATWG stream layers.
 */
export class HttpUpstream {
  private readonly base: string;

  constructor(
    readonly id: string,
    url: string,
    private readonly dispatcher: Dispatcher,
    private readonly headers: Record<string, string> = {},
  ) {
    this.base = url.replace(/\/$/, '');
  }

  async call(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolResult> {
    let response: Dispatcher.ResponseData;
    try {
      response = await request(`${this.base}/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...this.headers },
        body: JSON.stringify(args),
        signal,
        dispatcher: this.dispatcher,
      });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new UpstreamError('transient', `upstream ${this.id} is unreachable: ${err instanceof Error ? err.message : String(err)}`);
    }
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode >= 300) {
      const { kind, delivered } = httpFailure(response.statusCode);
      throw new UpstreamError(kind, `upstream ${this.id} answered ${response.statusCode}`, delivered);
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
