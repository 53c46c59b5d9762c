import { performance } from 'node:perf_hooks';
import { isVerb, type Action } from './action.js';
import { defaultContext, isPlainObject, mergeContext } from './context.js';
import type { Decision } from './decision.js';
import { digestOf } from './digest.js';
import { inspectOutput } from './output-stage.js';
import { WardenError, type ErrorCode } from './errors.js';
import type {
  Admitter,
  AgentDirectory,
  ApprovalDesk,
  ApprovalGrant,
  BehaviourMonitor,
  BehaviourOutcome,
  DelegationGrant,
  DelegationVerifier,
  ContentInspector,
  GuardFindings,
  AuditRecord,
  AuditSink,
  DecisionLogger,
  Execution,
  Executor,
  OutputInspector,
  OutputTreatment,
  PolicyEngine,
  ProvenanceIndex,
  RiskScore,
  RiskScorer,
  SessionHistory,
  ToolResult,
} from './ports.js';

export interface GateDeps {
  policy: PolicyEngine;
  agents: AgentDirectory;
  audit: AuditSink;
  log: DecisionLogger;
  env: string;
  admitter?: Admitter;
  risk?: RiskScorer;
  executor?: Executor;
  outputs?: OutputInspector;
  /** Scanners for prompt injection and PII on the way in and out. */
  guard?: ContentInspector;
  /** Where values came from: outputs are indexed, arguments that reuse them carry their labels. */
  provenance?: ProvenanceIndex;
  /** What the agent has done so far (counts and totals), for policies over history. */
  history?: SessionHistory;
  /** Counts every action for anomaly detection, and says whether an agent is anomalous now. */
  monitor?: BehaviourMonitor;
  /** Verifies delegation tokens; without it, a call that presents one is denied. */
  delegations?: DelegationVerifier;
  /** Human approval: parks approval-required actions and grants an approved one once. */
  approvals?: ApprovalDesk;
  /** Whether an action's output may be trusted as instructions (its upstream's trust level). */
  trustOf?: (action: Action) => 'trusted' | 'untrusted' | undefined;
  now?: () => Date;
}

/** The session an action belongs to for provenance and history: its own, or the agent's standing one. */
export const sessionOf = (action: Action): string => action.sessionId ?? `agent:${action.agentId}`;

/** A decision as the Gate returns it: recorded at `seq`; `code` says why when it was not the policies. */
export interface GateDecision extends Decision {
  requestId: string;
  seq: number;
  /** The digest of the context the decision was made in, as recorded in the ledger. */
  contextDigest: string;
  code?: ErrorCode;
  /** When admission refused: how long until the agent may try again. */
  retryAfterMs?: number;
  /** For approval_required: the approval this exact action is waiting for. */
  approvalId?: string;
  risk?: RiskScore;
}

/** An invocation: the decision and, when it was allowed, what the execution did (recorded at its own seq). */
export interface GateInvocation extends GateDecision {
  execution?: Execution;
}

/** Callers who may set any part of the context (policy simulation); agents only supply `args`. */
const TRUSTED_CREDENTIALS = new Set(['admin', 'cli']);

interface Evaluation {
  decision: Decision;
  /** The delegation the call was made under. */
  delegation?: DelegationGrant;
  /** The parked request, for approval_required. */
  approvalId?: string;
  context: Record<string, unknown>;
  code?: ErrorCode;
  retryAfterMs?: number;
  risk?: RiskScore;
  guard?: GuardFindings;
}

/**
 * The Gate: authenticate → admit → inspect input → score risk → decide → (approve) → execute →
 * inspect output → record. INVARIANTS: an action executes only after its `allow` is durable in the
 * ledger; every outcome, including a failure of any stage, is recorded; an error in any stage
 * before execution is an `error` decision (fail closed).
 */
export class Gate {
  constructor(private readonly deps: GateDeps) {}

  /** Decides and records; nothing executes (the policy decision point of `POST /v1/authorize`). */
  async authorize(action: Action): Promise<GateDecision> {
    const started = performance.now();
    const decided = await this.record(action, await this.evaluate(action, false), started);
    this.deps.monitor?.observe(action, outcomeOf(decided.decision));
    return decided;
  }

  /** Decides, and when allowed executes through the executor, inspects the output and records both. */
  async invoke(action: Action, signal?: AbortSignal): Promise<GateInvocation> {
    const started = performance.now();
    const decided = await this.record(action, await this.evaluate(action, true), started);
    if (decided.decision !== 'allow') {
      this.deps.monitor?.observe(action, outcomeOf(decided.decision));
      return decided;
    }
    const { executor } = this.deps;
    if (!executor) throw new WardenError('internal', 'No executor is configured');

    let execution: Execution;
    try {
      execution = await executor.execute(action, signal);
    } catch {
      execution = { outcome: 'upstream_error', attempts: 1, durationMs: 0, error: 'the executor failed' };
    }
    if (execution.result && this.deps.outputs) {
      const verdict = this.deps.outputs.inspect(action, execution.result);
      if (!verdict.ok) execution = { outcome: 'invalid_output', attempts: execution.attempts, durationMs: execution.durationMs, error: verdict.error };
    }
    let guarded: (GuardFindings & { treatment: OutputTreatment }) | undefined;
    // What the upstream returned, before the guard changed it: provenance follows the data.
    const returned = execution.outcome === 'success' || execution.outcome === 'tool_error' ? execution.result : undefined;
    if (execution.result && this.deps.guard) ({ execution, guarded } = await inspectOutput(this.deps.guard, action, execution, decided.obligations));
    if (returned) await this.remember(action, returned, execution, guarded);
    this.deps.monitor?.observe(action, returned ? 'invocation' : 'error', execution.result ? safeSize(execution.result) : undefined);
    const record: AuditRecord = {
      ...this.baseRecord(action, decided, decided.contextDigest),
      execution: {
        decisionSeq: decided.seq,
        outcome: execution.outcome,
        attempts: execution.attempts,
        durationMs: execution.durationMs,
        ...(execution.result ? { resultDigest: digestOf(execution.result) } : {}),
        ...(execution.error ? { error: execution.error } : {}),
        ...(guarded ? { guard: guarded } : {}),
      },
    };
    // The outcome is appended without holding up the agent: the allow it follows is already
    // durable, and a failure to record the outcome is logged loudly.
    this.deps.audit.append(record).then(
      () => this.deps.log.decision({ ...record, latencyUs: elapsedUs(started) }),
      () => this.deps.log.decision({ ...record, reason: 'audit_unavailable', latencyUs: elapsedUs(started) }),
    );
    return { ...decided, execution };
  }

  /**
   * Approval after the decision: an approval-required action is parked (its request found or
   * created); an allowed action that came with a grant uses the grant up first, and if another
   * request used it already, the action is denied — an approved action runs once.
   */
  private async settleApproval(
    action: Action,
    decision: Decision,
    grant: ApprovalGrant | undefined,
    digest: string,
    policyVersion: string,
    risk: RiskScore | undefined,
  ): Promise<{ decision: Decision; approvalId?: string; code?: ErrorCode }> {
    const desk = this.deps.approvals;
    if (!desk) return { decision };
    if (decision.decision === 'approval_required') return { decision, approvalId: await desk.park(action, digest, policyVersion, decision, risk) };
    if (decision.decision === 'allow' && grant?.granted && grant.approvalId && !(await desk.consume(grant.approvalId))) {
      return {
        decision: { decision: 'deny', policies: decision.policies, obligations: {}, reason: 'approval_not_pending', errors: [`approval ${grant.approvalId} was already used`] },
        code: 'approval_not_pending',
      };
    }
    return { decision };
  }

  /**
   * What the session learns from a result: its values and their labels (provenance), and the call
   * itself (history). The values are indexed as the upstream returned them, not as the guard left
   * them: a value the guard withheld may still reach the agent another way (a partial
   * neutralisation, a second read), and a label on a value the agent never saw costs nothing.
   * A failure here is noted in the execution's ledger entry.
   */
  private async remember(
    action: Action,
    returned: ToolResult,
    execution: Execution,
    guarded: (GuardFindings & { treatment: OutputTreatment }) | undefined,
  ): Promise<void> {
    const session = sessionOf(action);
    const labels = [action.verb === 'kb.retrieve' ? `kb:${action.resource}` : `source:${action.resource}`];
    if (this.deps.trustOf?.(action) === 'untrusted' || guarded?.injection) labels.push('untrusted');
    if (guarded?.pii?.length) labels.push('pii');
    const args = isPlainObject(action.context.args) ? action.context.args : {};
    await Promise.all([
      this.deps.provenance?.observe(session, returned, labels),
      execution.outcome === 'success' && action.verb === 'tool.invoke' ? this.deps.history?.record(action.agentId, session, action.resource, args, this.deps.now?.() ?? new Date()) : undefined,
    ]).catch(() => {
      execution.error = `${execution.error ? `${execution.error}; ` : ''}the session's provenance or history could not be recorded`;
    });
  }

  private baseRecord(action: Action, decision: Decision & { risk?: RiskScore; approvalId?: string; guard?: GuardFindings; delegation?: DelegationGrant }, contextDigest: string): AuditRecord {
    return {
      requestId: action.requestId,
      agentId: action.agentId,
      verb: action.verb,
      resource: action.resource,
      decision: decision.decision,
      policies: decision.policies,
      obligations: decision.obligations,
      credential: action.credential,
      contextDigest,
      ...(decision.reason ? { reason: decision.reason } : {}),
      ...(decision.errors.length ? { errors: decision.errors } : {}),
      ...(action.sessionId ? { sessionId: action.sessionId } : {}),
      ...(action.traceId ? { traceId: action.traceId } : {}),
      ...(decision.risk ? { risk: decision.risk } : {}),
      ...(decision.approvalId ? { approvalId: decision.approvalId } : {}),
      ...(decision.delegation ? { delegation: { id: decision.delegation.id, from: decision.delegation.from } } : {}),
      ...(decision.guard && (decision.guard.injection || decision.guard.pii) ? { guard: decision.guard } : {}),
    };
  }

  private async record(action: Action, evaluation: Evaluation, started: number): Promise<GateDecision> {
    const { decision, code, context, retryAfterMs, risk, guard, delegation } = evaluation;
    const approvalId = decision.decision === 'approval_required' ? (evaluation.approvalId ?? approvalIdFor(action)) : undefined;
    const contextDigest = safeDigest(context);
    const record = this.baseRecord(
      action,
      { ...decision, ...(risk ? { risk } : {}), ...(approvalId ? { approvalId } : {}), ...(guard ? { guard } : {}), ...(delegation ? { delegation } : {}) },
      contextDigest,
    );
    let seq: number;
    try {
      ({ seq } = await this.deps.audit.append(record));
    } catch {
      // INVARIANT: an unrecorded decision is never an allow.
      this.deps.log.decision({ ...record, decision: 'error', reason: 'audit_unavailable', latencyUs: elapsedUs(started) });
      throw new WardenError('unavailable', 'The audit ledger is unavailable; the action was not allowed');
    }
    this.deps.log.decision({ ...record, latencyUs: elapsedUs(started) });
    this.deps.risk?.observe?.(action, decision.decision);
    return {
      ...decision,
      requestId: action.requestId,
      seq,
      contextDigest,
      ...(code ? { code } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(approvalId ? { approvalId } : {}),
      ...(risk ? { risk } : {}),
    };
  }

  private async evaluate(action: Action, admit: boolean): Promise<Evaluation> {
    const supplied = action.context;
    const deny = (reason: ErrorCode, errors: string[] = [], extra: Partial<Evaluation> = {}): Evaluation => ({
      decision: { decision: 'deny', policies: [], obligations: {}, reason, errors },
      code: reason,
      context: supplied,
      ...extra,
    });
    try {
      // authenticate: the transport proved the credential; the agent must exist and be active.
      if (!isVerb(action.verb)) return deny('invalid_action', [`"${action.verb}" is not an action verb`]);
      const status = await this.deps.agents.status(action.agentId);
      if (!status.known) return deny('unknown_agent');
      if (status.suspended) return deny('agent_suspended');
      const resource = this.deps.policy.resourceFor(action.verb, action.resource);
      if (!resource) return deny('unknown_resource');
      let delegation: DelegationGrant | undefined;
      if (action.delegation !== undefined) {
        const check = this.deps.delegations?.check(action.delegation, action) ?? { ok: false as const, reason: 'delegation is not enabled here' };
        if (!check.ok) return deny('delegation_invalid', [check.reason]);
        const delegator = await this.deps.agents.status(check.grant.from);
        if (!delegator.known || delegator.suspended) return deny('delegation_invalid', [`the delegating agent ${check.grant.from} is ${delegator.known ? 'suspended' : 'unknown'}`]);
        delegation = check.grant;
      }

      const trusted = TRUSTED_CREDENTIALS.has(action.credential.kind);
      const args = isPlainObject(supplied.args) ? supplied.args : {};
      const fromCaller = trusted ? supplied : { args };

      // admit: rate limits, loops and step budgets, only where something may execute.
      let sessionSteps = 0;
      if (admit && this.deps.admitter) {
        const admission = await this.deps.admitter.admit(action, digestOf(args));
        if (!admission.admitted) {
          return deny(admission.reason, [admission.detail], admission.retryAfterMs !== undefined ? { retryAfterMs: admission.retryAfterMs } : {});
        }
        sessionSteps = admission.sessionSteps;
      }

      // inspect input: scanner findings become labels on the arguments they were found in, and
      // values seen earlier in the session bring the labels of the output they came from.
      const now = this.deps.now?.() ?? new Date();
      const session = sessionOf(action);
      const digest = actionDigest(action);
      const policyVersion = this.deps.policy.version;
      const [inspection, provenance, history] = await Promise.all([
        this.deps.guard?.inspectInput(action, args),
        this.deps.provenance?.labelsFor(session, args),
        this.deps.history?.snapshot(action.agentId, session, now),
      ]);
      const labels = mergeLabels(inspection?.labels, provenance?.labels);

      // score risk, then decide with everything in the context.
      const anomaly = this.deps.monitor?.context(action.agentId);
      const risk = this.deps.risk?.score(action, {
        labels,
        ...(inspection ? { findings: inspection.findings } : {}),
        sessionUntrusted: provenance?.untrusted ?? false,
        ...(anomaly ? { anomalous: anomaly.anomalous } : {}),
      });
      const base = defaultContext(this.deps.env, now);
      const { session: sessionHistory, ...windows } = (history ?? {}) as Record<string, Record<string, unknown>>;
      const observed = {
        session: { steps: sessionSteps, untrusted: provenance?.untrusted ?? false, ...sessionHistory },
        ...windows,
        transport: { mtls: action.credential.kind === 'mtls' },
        ...(risk ? { risk: { score: risk.score } } : {}),
        labels,
        ...(inspection ? { guard: guardContext(inspection.findings) } : {}),
        ...(delegation ? { delegation: { from: delegation.from, task: delegation.task ?? '' } } : {}),
        ...(anomaly ? { anomaly } : {}),
      };
      const decideIn = (context: Record<string, unknown>): Decision => {
        const own = this.deps.policy.decide({ principal: { type: 'Agent', id: action.agentId }, action: action.verb, resource, context });
        // Under a delegation, the delegator's policies must allow the same call too: the intersection.
        return delegation ? stricter(own, this.deps.policy.decide({ principal: { type: 'Agent', id: delegation.from }, action: action.verb, resource, context })) : own;
      };
      let context = mergeContext(mergeContext(base, observed), fromCaller);
      let decision = decideIn(context);
      // Only an action that needs approval looks for a grant: most actions cost no query here.
      let grant: ApprovalGrant | undefined;
      if (decision.decision === 'approval_required' && this.deps.approvals) {
        grant = await this.deps.approvals.grantFor(action, digest, policyVersion);
        if (grant.granted) {
          context = mergeContext(mergeContext(base, { ...observed, approval: { granted: true, approvers: grant.approvers } }), fromCaller);
          decision = decideIn(context);
        }
      }
      const extra = { ...(risk ? { risk } : {}), ...(inspection ? { guard: inspection.findings } : {}) };
      const approved = await this.settleApproval(action, decision, grant, digest, policyVersion, risk);
      return { decision: approved.decision, context, ...extra, ...(delegation ? { delegation } : {}), ...(approved.approvalId ? { approvalId: approved.approvalId } : {}), ...(approved.code ? { code: approved.code } : {}) };
    } catch (err) {
      // INVARIANT: fail closed; an error in any stage before execution is an `error` decision.
      const message = err instanceof WardenError ? err.message : 'internal error in the gate';
      return { decision: { decision: 'error', policies: [], obligations: {}, reason: 'stage_error', errors: [message] }, context: supplied };
    }
  }
}


/** What an anomaly detector counts for a decision that did not execute. */
function outcomeOf(decision: Decision['decision']): BehaviourOutcome {
  return decision === 'deny' ? 'denial' : decision === 'error' ? 'error' : 'invocation';
}

/** How many bytes a result carries to the agent (retrieval volume for anomaly detection). */
function safeSize(result: ToolResult): number | undefined {
  try {
    return Buffer.byteLength(JSON.stringify(result));
  } catch {
    return undefined;
  }
}

const STRICTNESS: Record<Decision['decision'], number> = { allow: 0, approval_required: 1, deny: 2, error: 3 };

/** The stricter of two decisions (for a delegated call: the holder's and the delegator's). */
function stricter(a: Decision, b: Decision): Decision {
  return STRICTNESS[b.decision] > STRICTNESS[a.decision] ? b : a;
}

/** Labels from the scanners and from provenance, per argument, each once and sorted. */
function mergeLabels(...sources: (Record<string, string[]> | undefined)[]): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const source of sources) for (const [arg, labels] of Object.entries(source ?? {})) for (const l of labels) (out[arg] ??= new Set()).add(l);
  return Object.fromEntries(Object.entries(out).map(([arg, set]) => [arg, [...set].sort()]));
}

/** The findings as policies see them: `context.guard.injection`, `.injection_score` (0–100), `.pii`. */
function guardContext(findings: GuardFindings): Record<string, unknown> {
  return { injection: findings.injection !== undefined, injection_score: Math.round((findings.injection?.score ?? 0) * 100), pii: (findings.pii?.length ?? 0) > 0 };
}

/** A digest of exactly this action (agent, verb, resource, canonical arguments): what an approval is bound to. */
export function actionDigest(action: Action): string {
  const args = isPlainObject(action.context.args) ? action.context.args : {};
  return digestOf({ agent: action.agentId, verb: action.verb, resource: action.resource, args });
}

/** Without an approval desk (policy simulation), the id an approval would have is derived from the digest. */
export function approvalIdFor(action: Action): string {
  return `apr_${actionDigest(action).slice(7, 31)}`;
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
