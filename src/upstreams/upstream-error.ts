/**
 * An upstream failure, classified once where it happens so retry and breaker policies need not
 * guess. `delivered` says whether the upstream may have acted on the call before it failed: such a
 * call is retried only when the tool has no side effects.
 */
export type UpstreamFailureKind = 'transient' | 'throttled' | 'permanent';

export class UpstreamError extends Error {
  constructor(
    readonly kind: UpstreamFailureKind,
    message: string,
    readonly delivered = false,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

/** Throttling is an explicit refusal; a transient failure is retried if repeating it cannot do harm. */
export function isRetryable(err: unknown, idempotent: boolean): boolean {
  if (!(err instanceof UpstreamError) || err.kind === 'permanent') return false;
  return err.kind === 'throttled' || idempotent || !err.delivered;
}

/** Words by which a tool error says it is worth retrying (MCP has no standard error classes). */
const THROTTLED = /\b(throttled|rate[ _-]?limited|too many requests)\b/i;
const TRANSIENT = /\b(transient|temporar(?:y|ily)|unavailable|try again)\b/i;

export function classifyToolError(text: string): UpstreamFailureKind | undefined {
  if (THROTTLED.test(text)) return 'throttled';
  if (TRANSIENT.test(text)) return 'transient';
  return undefined;
}

/**
 * HTTP statuses: 429 is throttling and 503 a refusal (neither acted on the call); 502 and 504 may
 * come from a proxy after the upstream acted; everything else is final.
 */
export function httpFailure(status: number): { kind: UpstreamFailureKind; delivered: boolean } {
  if (status === 429) return { kind: 'throttled', delivered: false };
  if (status === 503) return { kind: 'transient', delivered: false };
  if (status === 502 || status === 504) return { kind: 'transient', delivered: true };
  return { kind: 'permanent', delivered: true };
}
