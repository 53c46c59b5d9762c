import type { GateInvocation } from '../core/gate.js';
import type { ErrorCode } from '../core/errors.js';
import type { ExecutionOutcome, ToolResult } from '../core/ports.js';

/** Failed executions as stable error codes (each with its HTTP status in the registry). */
const EXECUTION_ERRORS: Partial<Record<ExecutionOutcome, ErrorCode>> = {
  upstream_error: 'upstream_error',
  timeout: 'upstream_timeout',
  breaker_open: 'upstream_unavailable',
  busy: 'upstream_busy',
  invalid_output: 'invalid_upstream_response',
  withheld: 'output_withheld',
};

/**
 * What an invocation came to, in the terms every transport answers with: a result, a pending
 * approval, or a refusal with a stable code and a sentence that says which policy and why.
 */
export type InvocationView =
  | { kind: 'result'; result: ToolResult }
  | { kind: 'approval'; approvalId: string; message: string }
  | { kind: 'refused'; code: ErrorCode; message: string; retryAfterMs?: number };

export function viewInvocation(r: GateInvocation): InvocationView {
  if (r.decision === 'approval_required') {
    return { kind: 'approval', approvalId: r.approvalId ?? '', message: `Approval required by ${r.policies.join(', ')}; approval id ${r.approvalId}` };
  }
  if (r.decision !== 'allow') {
    if (r.code) {
      const detail = r.errors[0] ? `: ${r.errors[0]}` : '';
      return { kind: 'refused', code: r.code, message: `Refused (${r.code})${detail}`, ...(r.retryAfterMs !== undefined ? { retryAfterMs: r.retryAfterMs } : {}) };
    }
    const why = r.decision === 'error' ? `the policies could not be evaluated (${r.errors.join('; ')})` : r.policies.length ? `denied by policy ${r.policies.join(', ')}` : 'no policy permits it (default deny)';
    return { kind: 'refused', code: 'policy_denied', message: `Denied: ${why}` };
  }
  const e = r.execution;
  if (e?.result && (e.outcome === 'success' || e.outcome === 'tool_error')) return { kind: 'result', result: e.result };
  const code = (e && EXECUTION_ERRORS[e.outcome]) ?? 'upstream_error';
  return { kind: 'refused', code, message: e?.error ?? 'The upstream failed' };
}
