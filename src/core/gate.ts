import { performance } from 'node:perf_hooks';
import { isVerb, type Action } from './action.js';
import { defaultContext, isPlainObject, mergeContext } from './context.js';
import type { Decision } from './decision.js';
import { digestOf } from './digest.js';
import { WardenError, type ErrorCode } from './errors.js';
import type { AgentDirectory, AuditRecord, AuditSink, DecisionLogger, PolicyEngine } from './ports.js';

export interface GateDeps {
  policy: PolicyEngine;
  agents: AgentDirectory;
  audit: AuditSink;
  log: DecisionLogger;
  env: string;
  now?: () => Date;
}

/** A decision as the Gate returns it: recorded at `seq`; `code` says why when it was not the policies. */
export interface GateDecision extends Decision {
  requestId: string;
  seq: number;
  code?: ErrorCode;
}

/** Callers who may set any part of the context (policy simulation); agents only supply `args`. */
const TRUSTED_CREDENTIALS = new Set(['admin', 'cli']);

/**
 * The Gate: authenticate → decide → record. Later stages (admission, inspection, risk, approval,
 * execution) plug in around `decide`. INVARIANT: every outcome, including failures of any stage,
 * is appended to the ledger before it is returned; if it cannot be recorded, nothing is allowed.
 */
export class Gate {
  constructor(private readonly deps: GateDeps) {}

  async authorize(action: Action): Promise<GateDecision> {
    const started = performance.now();
    const { decision, code, context } = await this.evaluate(action);
    const record: AuditRecord = {
      requestId: action.requestId,
      agentId: action.agentId,
      verb: action.verb,
      resource: action.resource,
      decision: decision.decision,
      policies: decision.policies,
      obligations: decision.obligations,
      credential: action.credential,
      contextDigest: safeDigest(context),
      ...(decision.reason ? { reason: decision.reason } : {}),
      ...(decision.errors.length ? { errors: decision.errors } : {}),
      ...(action.sessionId ? { sessionId: action.sessionId } : {}),
      ...(action.traceId ? { traceId: action.traceId } : {}),
    };
    let seq: number;
    try {
      ({ seq } = await this.deps.audit.append(record));
    } catch {
      // INVARIANT: an unrecorded decision is never an allow.
      this.deps.log.decision({ ...record, decision: 'error', reason: 'audit_unavailable', latencyUs: elapsedUs(started) });
      throw new WardenError('unavailable', 'The audit ledger is unavailable; the action was not allowed');
    }
    this.deps.log.decision({ ...record, latencyUs: elapsedUs(started) });
    return { ...decision, requestId: action.requestId, seq, ...(code ? { code } : {}) };
  }

  private async evaluate(action: Action): Promise<{ decision: Decision; code?: ErrorCode; context: Record<string, unknown> }> {
    const supplied = action.context;
    const deny = (reason: ErrorCode, errors: string[] = []) => ({
      decision: { decision: 'deny' as const, policies: [], obligations: {}, reason, errors },
      code: reason,
      context: supplied,
    });
    try {
      if (!isVerb(action.verb)) return deny('invalid_action', [`"${action.verb}" is not an action verb`]);
      const status = await this.deps.agents.status(action.agentId);
      if (!status.known) return deny('unknown_agent');
      if (status.suspended) return deny('agent_suspended');
      const resource = this.deps.policy.resourceFor(action.verb, action.resource);
      if (!resource) return deny('unknown_resource');
      const trusted = TRUSTED_CREDENTIALS.has(action.credential.kind);
      const fromCaller = trusted ? supplied : { args: isPlainObject(supplied.args) ? supplied.args : {} };
      const context = mergeContext(defaultContext(this.deps.env, this.deps.now?.() ?? new Date()), fromCaller);
      const decision = this.deps.policy.decide({ principal: { type: 'Agent', id: action.agentId }, action: action.verb, resource, context });
      return { decision, context };
    } catch (err) {
      // INVARIANT: fail closed; an error in any stage before execution is an `error` decision.
      const message = err instanceof WardenError ? err.message : 'internal error in the gate';
      return { decision: { decision: 'error', policies: [], obligations: {}, reason: 'stage_error', errors: [message] }, context: supplied };
    }
  }
}

function safeDigest(value: unknown): string {
  try {
    return digestOf(value);
  } catch {
    return 'sha256:unavailable';
  }
}

function elapsedUs(started: number): number {
  return Math.round((performance.now() - started) * 1000);
}
