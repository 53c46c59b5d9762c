/**
 * Client-visible errors: one registry of stable codes, each with its HTTP status. Anything thrown
 * that is not a WardenError is an internal error and never crosses the wire with its message.
 */
export const ERROR_CODES = {
  invalid_json: { status: 400, message: 'The body is not valid JSON' },
  invalid_request: { status: 400, message: 'The request does not match the expected shape' },
  invalid_action: { status: 400, message: 'Unknown action verb' },
  body_too_large: { status: 413, message: 'The body is larger than the configured limit' },
  unsupported_media_type: { status: 415, message: 'The body must be application/json' },
  unauthenticated: { status: 401, message: 'A valid credential is required' },
  forbidden: { status: 403, message: 'The credential may not do this' },
  agent_suspended: { status: 403, message: 'The agent is suspended' },
  unknown_agent: { status: 404, message: 'No such agent' },
  unknown_resource: { status: 404, message: 'No such resource' },
  not_found: { status: 404, message: 'No such route' },
  memory_not_found: { status: 404, message: 'The agent has no memory of that name' },
  approval_not_found: { status: 404, message: 'No such approval request' },
  approval_not_pending: { status: 409, message: 'The approval request is no longer pending' },
  approval_expired: { status: 410, message: 'The approval request has expired' },
  already_voted: { status: 409, message: 'This approver has already voted on the request' },
  approver_forbidden: { status: 403, message: 'This approver may not decide this request' },
  unknown_approver: { status: 404, message: 'No such approver is configured' },
  rate_limited: { status: 429, message: 'Too many requests; retry later' },
  loop_detected: { status: 429, message: 'The same call was repeated too often' },
  step_budget_exhausted: { status: 429, message: 'The session has used its step budget' },
  policy_denied: { status: 403, message: 'A policy denied the action' },
  delegation_invalid: { status: 403, message: 'The delegation token is invalid, expired, or does not cover this call' },
  upstream_error: { status: 502, message: 'The upstream failed' },
  invalid_upstream_response: { status: 502, message: 'The upstream answered with a response that does not match its schema' },
  upstream_timeout: { status: 504, message: 'The upstream did not answer in time' },
  upstream_unavailable: { status: 503, message: 'The upstream is unavailable (circuit open)' },
  output_withheld: { status: 502, message: 'The upstream answered, but its result was withheld: suspected prompt injection' },
  upstream_busy: { status: 503, message: 'The upstream has too many calls in flight' },
  data_dir_locked: { status: 409, message: 'The data directory is in use by another process' },
  config_invalid: { status: 500, message: 'The configuration is invalid' },
  policy_invalid: { status: 500, message: 'The policies are invalid' },
  ledger_tampered: { status: 500, message: 'The audit ledger does not verify' },
  unavailable: { status: 503, message: 'A dependency is unavailable' },
  internal: { status: 500, message: 'Internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class WardenError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: unknown,
  ) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'WardenError';
    this.status = ERROR_CODES[code].status;
  }
}

/** The JSON body sent to clients; internal errors are reduced to their code. */
export function toErrorBody(err: unknown): { status: number; body: { code: ErrorCode; message: string; details?: unknown } } {
  if (err instanceof WardenError) {
    const body: { code: ErrorCode; message: string; details?: unknown } = { code: err.code, message: err.message };
    if (err.details !== undefined) body.details = err.details;
    return { status: err.status, body };
  }
  return { status: 500, body: { code: 'internal', message: ERROR_CODES.internal.message } };
}
