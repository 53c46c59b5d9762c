import type { Action } from '../core/action.js';
import type { Decision } from '../core/decision.js';
import type { ApprovalDesk, ApprovalGrant, PolicyEngine, RiskScore } from '../core/ports.js';
import { APPROVE } from '../policy/model.js';
import type { Approvals, ApprovalView } from './approvals.js';

/**
 * The Gate's view of the approvals: park an approval-required action (two approvers when its
 * resource is critical), find the grant for exactly this action under this policy version, use it
 * up once.
 */
export class GateApprovalDesk implements ApprovalDesk {
  constructor(
    private readonly approvals: Approvals,
    private readonly isCritical: (action: Action) => boolean,
  ) {}

  grantFor(_action: Action, actionDigest: string, policyVersion: string): Promise<ApprovalGrant> {
    return this.approvals.grantFor(actionDigest, policyVersion);
  }

  async park(action: Action, actionDigest: string, policyVersion: string, decision: Decision, risk?: RiskScore): Promise<string> {
    const parked = await this.approvals.park({
      agentId: action.agentId,
      verb: action.verb,
      resource: action.resource,
      actionDigest,
      policyVersion,
      policies: decision.policies,
      ...(decision.reason ? { reason: decision.reason } : {}),
      critical: this.isCritical(action),
      ...(action.sessionId ? { sessionId: action.sessionId } : {}),
      ...(risk ? { risk: risk.score } : {}),
    });
    return parked.id;
  }

  consume(approvalId: string): Promise<boolean> {
    return this.approvals.consume(approvalId);
  }
}

/** Approvers are authorized by policy: `permit (principal in Team::"finance", action == Action::"approve", resource in Server::"bank")`. */
export function approverPolicy(policy: PolicyEngine): (approverId: string, request: ApprovalView) => boolean {
  return (approverId, request) => {
    const resource = policy.resourceFor(request.verb, request.resource);
    if (!resource) return false;
    const context = { agent: request.agentId, verb: request.verb, risk: request.risk ?? 0 };
    return policy.decide({ principal: { type: 'Approver', id: approverId }, action: APPROVE, resource, context }).decision === 'allow';
  };
}
