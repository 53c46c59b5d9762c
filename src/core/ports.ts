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
  decide(request: PolicyRequest): Decision;
  /** Entity reference for a resource id under a verb, or undefined when no such resource is configured. */
  resourceFor(verb: string, resourceId: string): EntityRef | undefined;
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
}

/** Append-only audit sink. `append` resolves once the entry is durable. */
export interface AuditSink {
  append(record: AuditRecord): Promise<{ seq: number }>;
}

/** One line per decision, for operators. */
export interface DecisionLogger {
  decision(record: AuditRecord & { latencyUs: number }): void;
}
