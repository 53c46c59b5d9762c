import type { Decision } from './decision.js';
import type { Action, EntityRef } from './action.js';

/** A request to the policy engine, after authentication resolved the principal. */
export interface PolicyRequest {
  principal: EntityRef;
  action: string;
  resource: EntityRef;
  context: Record<string, unknown>;
}

/** Decides requests; implemented over Cedar in src/policy. */
export interface PolicyEngine {
  /** Identifies the policy set in force (approvals are bound to it). */
  readonly version: string;
  decide(request: PolicyRequest): Decision;
  /** Entity reference for a resource id under a verb, or undefined when no such resource is configured. */
  resourceFor(verb: string, resourceId: string): EntityRef | undefined;
  /**
   * Whether some context could make this request allowed: a permit's scope matches it and no
   * unconditional forbid does. Used to show an agent only the tools it may ever call.
   */
  mayAllow(principal: EntityRef, action: string, resource: EntityRef): boolean;
}

/** The state of one agent as the Gate needs it. */
export interface AgentStatus {
  id: string;
  known: boolean;
  suspended: boolean;
}

/** Where agent state (suspension, keys) lives. */
export interface AgentDirectory {
  status(agentId: string): Promise<AgentStatus>;
}

/** One ledger entry as the Gate hands it over; the ledger adds sequence, time and hashes. */
export interface AuditRecord {
  requestId: string;
  agentId: string;
  verb: string;
  resource: string;
  decision: Decision['decision'];
  policies: string[];
  obligations: Record<string, string>;
  reason?: string;
  errors?: string[];
  credential: Action['credential'];
  /** SHA-256 over the canonical context: the ledger never holds arguments in plain text. */
  contextDigest: string;
  sessionId?: string;
  traceId?: string;
  /** Set on the entry that follows an executed allow: what happened, linked to the decision's entry. */
  execution?: {
    decisionSeq: number;
    outcome: ExecutionOutcome;
    attempts: number;
    durationMs: number;
    resultDigest?: string;
    error?: string;
    /** What the output stage found and did (withheld, neutralised, redacted). */
    guard?: GuardFindings & { treatment: OutputTreatment };
  };
  /** What the input stage found in the arguments. */
  guard?: GuardFindings;
  risk?: RiskScore;
  approvalId?: string;
  /** The delegation the call was made under: which token, lent by whom. */
  delegation?: { id: string; from: string };
}

/** Append-only audit sink. `append` resolves once the entry is durable. */
export interface AuditSink {
  append(record: AuditRecord): Promise<{ seq: number }>;
}

/** One line per decision, for operators. */
export interface DecisionLogger {
  decision(record: AuditRecord & { latencyUs: number }): void;
}

/** What admission decided: admitted with the session's step count, or refused with a stable reason. */
export type Admission =
  | { admitted: true; sessionSteps: number }
  | { admitted: false; reason: 'rate_limited' | 'loop_detected' | 'step_budget_exhausted'; retryAfterMs?: number; detail: string };

/** Rate limits, loop detection and step budgets, checked before a decision that may execute. */
export interface Admitter {
  admit(action: Action, argsDigest: string): Promise<Admission>;
}

/** A risk score 0–100 and the factors it came from. */
export interface RiskScore {
  score: number;
  factors: Record<string, number>;
}

/** What the Gate knows about an action when it scores it. */
export interface RiskSignals {
  /** Labels per argument (scanners and provenance). */
  labels: Record<string, string[]>;
  findings?: GuardFindings;
  /** The session has seen untrusted content. */
  sessionUntrusted: boolean;
  /** The agent is in an open anomaly alert. */
  anomalous?: boolean;
}

export interface RiskScorer {
  score(action: Action, signals?: RiskSignals): RiskScore;
  /** Told every decision, so recent denials raise an agent's next scores. */
  observe?(action: Action, decision: Decision['decision']): void;
}

/** The result of a tool as the agent sees it (MCP's CallToolResult shape). */
export interface ToolResult {
  content: unknown[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** How an execution ended; every outcome but `success` and `tool_error` withholds a result. */
export type ExecutionOutcome = 'success' | 'tool_error' | 'upstream_error' | 'timeout' | 'breaker_open' | 'busy' | 'invalid_output' | 'withheld';

export interface Execution {
  outcome: ExecutionOutcome;
  result?: ToolResult;
  attempts: number;
  durationMs: number;
  /** What went wrong, for the agent and the ledger (never a stack trace). */
  error?: string;
  /**
   * The result's content items are independent (retrieved chunks): the output stage inspects each
   * on its own and withholds only the items that must be, not the whole result.
   */
  itemized?: boolean;
  /** For an itemized result: what the output stage did to each content item. */
  items?: OutputTreatment[];
}

/** Runs an allowed action against its upstream, with the resilience policies of that upstream. */
export interface Executor {
  execute(action: Action, signal?: AbortSignal): Promise<Execution>;
}

/** Checks what came back before the agent sees it (schema, later scanners). */
export interface OutputInspector {
  inspect(action: Action, result: ToolResult): { ok: true } | { ok: false; error: string };
}

/** What the content guard found in one direction of an action. */
export interface GuardFindings {
  /** The highest injection score seen (0–1) and every rule that fired, when any text was flagged. */
  injection?: { score: number; rules: string[] };
  /** Entity types of the PII and secrets found, sorted. */
  pii?: string[];
}

/** Labels per top-level argument (`pii`, `pii:EMAIL_ADDRESS`, `injection`) and what they came from. */
export interface InputInspection {
  labels: Record<string, string[]>;
  findings: GuardFindings;
}

/** What the output stage did to a result before the agent saw it. */
export type OutputTreatment = 'clean' | 'flagged' | 'redacted' | 'neutralised' | 'withheld';

export interface OutputInspection {
  /** The result the agent gets: unchanged, with PII masked, or with injected text neutralised. */
  result: ToolResult;
  treatment: OutputTreatment;
  findings: GuardFindings;
}

/** Scans what goes into an action and what comes out of it (prompt injection, PII, secrets). */
export interface ContentInspector {
  inspectInput(action: Action, args: Record<string, unknown>): Promise<InputInspection>;
  /** `obligations` are the decision's: `redact: pii` masks PII, `on_injection` overrides the configured treatment. */
  inspectOutput(action: Action, result: ToolResult, obligations: Record<string, string>): Promise<OutputInspection>;
}

/**
 * Where the values in a session came from (flow/provenance.ts): outputs are indexed with labels,
 * and a later call's arguments that contain such a value carry the labels.
 */
export interface ProvenanceIndex {
  /** Indexes a result the agent is about to see, under these labels. */
  observe(session: string, result: unknown, labels: readonly string[]): Promise<void>;
  /** Labels per top-level argument, and whether the session has seen untrusted content at all. */
  labelsFor(session: string, args: Record<string, unknown>): Promise<{ labels: Record<string, string[]>; untrusted: boolean }>;
}

/** Counts and running totals of executed calls per session, agent-hour and agent-day (flow/history.ts). */
export interface SessionHistory {
  /** `{session, hour, day}`, each `{calls: {<tool>: n}, totals: {<tool>: {<arg>: sum}}}`, as the policy context holds them. */
  snapshot(agentId: string, session: string, now: Date): Promise<Record<string, unknown>>;
  record(agentId: string, session: string, tool: string, args: Record<string, unknown>, now: Date): Promise<void>;
}

/** A grant that lets an approval-required action through once. */
export interface ApprovalGrant {
  granted: boolean;
  approvers: number;
  approvalId?: string;
}

/**
 * Human approval (src/approvals): approval-required actions are parked as requests bound to the
 * action's digest and the policy version; an approved request grants exactly that action once.
 */
export interface ApprovalDesk {
  grantFor(action: Action, actionDigest: string, policyVersion: string): Promise<ApprovalGrant>;
  /** Parks the action (or finds its pending request) and returns the approval id. */
  park(action: Action, actionDigest: string, policyVersion: string, decision: Decision, risk?: RiskScore): Promise<string>;
  /** Uses the grant up; false when someone else already did (the action must not run twice). */
  consume(approvalId: string): Promise<boolean>;
}

/** What a delegation token grants: `from` lends `to` these tools until `exp` (seconds since the epoch). */
export interface DelegationGrant {
  id: string;
  from: string;
  to: string;
  tools: string[];
  exp: number;
  task?: string;
}

export type DelegationCheck = { ok: true; grant: DelegationGrant } | { ok: false; reason: string };

/** Verifies a delegation token for the action that presents it (src/identity/delegation.ts). */
export interface DelegationVerifier {
  check(token: string, action: Action): DelegationCheck;
}

/** An agent's anomaly state as policies see it: `context.anomaly` (score 0–100). */
export interface AnomalyContext {
  anomalous: boolean;
  score: number;
  series: string[];
}

export type BehaviourOutcome = 'invocation' | 'denial' | 'error';

/** Watches what agents do for anomalies (src/observe/behaviour-monitor.ts). */
export interface BehaviourMonitor {
  context(agentId: string): AnomalyContext;
  /** Told what became of each action, and how many bytes it returned to the agent. */
  observe(action: Action, outcome: BehaviourOutcome, bytes?: number): void;
}
