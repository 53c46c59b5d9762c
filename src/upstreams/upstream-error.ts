/**
 * An upstream failure, classified once where it happens so retry and breaker policies need not
 * guess: only `transient` and `throttled` failures are retried and counted by the breaker.
 */
export type UpstreamFailureKind = 'transient' | 'throttled' | 'permanent';

export class UpstreamError extends Error {
  constructor(
    readonly kind: UpstreamFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export function isRetryable(err: unknown): boolean {
  return err instanceof UpstreamError && err.kind !== 'permanent';
}

/** Words by which a tool error says it is worth retrying (MCP has no standard error classes). */
const THROTTLED = /\b(throttled|rate[ _-]?limited|too many requests)\b/i;
const TRANSIENT = /\b(transient|temporar(?:y|ily)|unavailable|try again)\b/i;

export function classifyToolError(text: string): UpstreamFailureKind | undefined {
  if (THROTTLED.test(text)) return 'throttled';
  if (TRANSIENT.test(text)) return 'transient';
  return undefined;
}

/** HTTP statuses: 429 is throttling, 502/503/504 transient, everything else final. */
export function classifyHttpStatus(status: number): UpstreamFailureKind {
  if (status === 429) return 'throttled';
  if (status === 502 || status === 503 || status === 504) return 'transient';
  return 'permanent';
}
