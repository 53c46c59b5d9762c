import { randomBytes } from 'node:crypto';
import { WardenError } from '../core/errors.js';
import type { ApproverConfig } from '../config/schema.js';
import type { SqlClient } from '../backends/sql/sql-client.js';
import { ApprovalStore, type ApprovalStatus, type ApprovalView, type ParkedAction, type Vote } from './approval-store.js';
import { Approvers } from './approvers.js';

export type { ApprovalStatus, ApprovalView, ApprovalVote, ParkedAction, Vote } from './approval-store.js';
export { APPROVAL_STATUSES } from './approval-store.js';

/** What is announced (webhook): a new request, and how each one ended when a human or the kill switch ended it. */
export type ApprovalEventType = 'approval.requested' | 'approval.approved' | 'approval.denied' | 'approval.cancelled';

export interface ApprovalEvent {
  type: ApprovalEventType;
  approval: ApprovalView;
}

export interface ApprovalsOptions {
  approvers: readonly ApproverConfig[];
  /** How long a request waits for its approvers; an approved request must also be used within it. */
  ttlSeconds: number;
  now?: () => Date;
  /** Announces events (e.g. `webhookNotifier`). Runs in the background: parking never waits for it or fails with it. */
  notify?: (event: ApprovalEvent) => Promise<void>;
  /** Told when `notify` failed (the caller logs it). */
  onNotifyError?: (err: unknown, event: ApprovalEvent) => void;
  /**
   * Whether a configured approver may decide this request (the policy check). Absent: every
   * configured approver may. A throw counts as no (fail closed).
   */
  mayApprove?: (approverId: string, request: ApprovalView) => boolean;
}

export interface ParkInput extends ParkedAction {
  /** Critical resources need two distinct approvers, others one. */
  critical: boolean;
}

export interface Grant {
  granted: boolean;
  /** How many distinct approvers approved the granting request (0 when none). */
  approvers: number;
  approvalId?: string;
}

export interface ListFilter {
  status?: ApprovalStatus;
  agentId?: string;
  /** 1–1000, default 100; newest first. */
  limit?: number;
}

const MAX_PARK_ATTEMPTS = 3;

/**
 * Human approval of parked actions. A request is bound to the digest of one exact action and to the
 * policy version that asked for it; it waits `ttlSeconds`; one approver decides an ordinary request
 * and two distinct approvers a critical one; any deny denies; an approved request is consumed once.
 */
export class Approvals {
  readonly approvers: Approvers;
  private readonly store = new ApprovalStore();
  private readonly now: () => Date;
  private readonly ttlMs: number;
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly db: SqlClient,
    private readonly options: ApprovalsOptions,
  ) {
    if (!(options.ttlSeconds > 0)) throw new WardenError('config_invalid', 'approvals.ttl_seconds must be positive');
    this.approvers = new Approvers(db, options.approvers);
    this.now = options.now ?? (() => new Date());
    this.ttlMs = options.ttlSeconds * 1000;
  }

  /**
   * Parks an action: the pending request for the same action and policy version when there is one
   * (a resubmit asks nobody twice), a new one otherwise, announced through `notify`.
   */
  async park(input: ParkInput): Promise<ApprovalView> {
    await this.expire();
    for (let attempt = 0; attempt < MAX_PARK_ATTEMPTS; attempt++) {
      const pending = await this.store.findPending(this.db, input.actionDigest, input.policyVersion);
      if (pending) return pending;
      const created = this.now();
      const id = newApprovalId();
      const inserted = await this.store.insertPending(this.db, {
        id,
        agentId: input.agentId,
        verb: input.verb,
        resource: input.resource,
        actionDigest: input.actionDigest,
        ...(input.argsDigest !== undefined ? { argsDigest: input.argsDigest } : {}),
        policyVersion: input.policyVersion,
        policies: input.policies,
        ...(input.reason !== undefined ? { reason: input.reason } : {}),
        requiredApprovals: input.critical ? 2 : 1,
        createdAt: created,
        expiresAt: new Date(created.getTime() + this.ttlMs),
        ...(input.sessionId !== undefined ? { sessionId: input.sessionId } : {}),
        ...(input.risk !== undefined ? { risk: Math.round(input.risk) } : {}),
      });
      // Not inserted: a concurrent park of the same action won; the next round finds its request.
      if (!inserted) continue;
      const view = (await this.store.get(this.db, id))!;
      this.announce({ type: 'approval.requested', approval: view });
      return view;
    }
    throw new WardenError('unavailable', 'The approval request could not be parked; retry');
  }

  /** Whether an approved, unused, unexpired request exists for exactly this action under this policy version. */
  async grantFor(actionDigest: string, policyVersion: string): Promise<Grant> {
    await this.expire();
    const grant = await this.store.findGrant(this.db, actionDigest, policyVersion, this.now());
    return grant ? { granted: true, approvers: grant.approvals, approvalId: grant.id } : { granted: false, approvers: 0 };
  }

  /** Uses an approved request up: true for exactly one caller, false for every other and for anything not approved or expired. */
  consume(approvalId: string): Promise<boolean> {
    return this.store.consume(this.db, approvalId, this.now());
  }

  /**
   * Records one approver's vote. The approver must be configured and pass `mayApprove`, and votes
   * once per request; a deny denies at once; the request is approved when distinct approvals reach
   * the number it requires.
   */
  async vote(approvalId: string, approverId: string, vote: Vote, comment?: string): Promise<ApprovalView> {
    if (!this.approvers.has(approverId)) throw new WardenError('approver_forbidden', `"${approverId}" is not a configured approver`);
    const current = await this.get(approvalId);
    if (!current) throw new WardenError('approval_not_found', `No approval request ${approvalId}`);
    assertPending(current);
    if (!this.allowed(approverId, current)) throw new WardenError('approver_forbidden', `Approver "${approverId}" may not decide ${approvalId} (policy)`);

    const at = this.now();
    const outcome = await this.db.transaction(async (tx): Promise<{ view: ApprovalView; decided: boolean } | { refused: ApprovalView | 'voted' | 'gone' }> => {
      // The row lock orders concurrent votes on one request: each sees the votes before it.
      const locked = await this.store.get(tx, approvalId, true);
      if (!locked) return { refused: 'gone' };
      if (locked.status !== 'pending') return { refused: locked };
      if (Date.parse(locked.expiresAt) <= at.getTime()) {
        await this.store.transition(tx, approvalId, 'pending', 'expired', at);
        return { refused: { ...locked, status: 'expired' } };
      }
      if (!(await this.store.insertVote(tx, approvalId, approverId, vote, at, comment))) return { refused: 'voted' };
      let decided = false;
      if (vote === 'deny') decided = await this.store.transition(tx, approvalId, 'pending', 'denied', at);
      else if (locked.approvals + 1 >= locked.requiredApprovals) decided = await this.store.transition(tx, approvalId, 'pending', 'approved', at);
      return { view: (await this.store.get(tx, approvalId))!, decided };
    });
    if ('refused' in outcome) {
      if (outcome.refused === 'gone') throw new WardenError('approval_not_found', `No approval request ${approvalId}`);
      if (outcome.refused === 'voted') throw new WardenError('already_voted', `Approver "${approverId}" has already voted on ${approvalId}`);
      assertPending(outcome.refused);
      throw new WardenError('internal');
    }
    if (outcome.decided) this.announce({ type: outcome.view.status === 'approved' ? 'approval.approved' : 'approval.denied', approval: outcome.view });
    return outcome.view;
  }

  /** `vote` for the holder of an approver key: anything but a valid approver key (agent keys, the admin token) is refused. */
  async voteWithKey(key: string, approvalId: string, vote: Vote, comment?: string): Promise<ApprovalView> {
    const approverId = await this.approvers.authenticate(key);
    if (!approverId) throw new WardenError('unauthenticated', 'The approver key is not valid');
    return this.vote(approvalId, approverId, vote, comment);
  }

  async list(filter: ListFilter = {}): Promise<ApprovalView[]> {
    await this.expire();
    const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 100), 1), 1000);
    return this.store.list(this.db, { ...(filter.status ? { status: filter.status } : {}), ...(filter.agentId ? { agentId: filter.agentId } : {}), limit });
  }

  async get(approvalId: string): Promise<ApprovalView | undefined> {
    await this.expire();
    return this.store.get(this.db, approvalId);
  }

  /** Marks every overdue pending (and approved but unused) request as expired; returns how many. Called lazily by the readers. */
  expire(): Promise<number> {
    return this.store.expire(this.db, this.now());
  }

  /** The kill switch: cancels every pending and approved-but-unused request of an agent; returns how many. */
  async cancelForAgent(agentId: string): Promise<number> {
    const cancelled = await this.store.cancelForAgent(this.db, agentId, this.now());
    for (const approval of cancelled) this.announce({ type: 'approval.cancelled', approval });
    return cancelled.length;
  }

  /** Resolves when every announcement started so far has finished (tests; shutdown). */
  async settle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  private allowed(approverId: string, request: ApprovalView): boolean {
    if (!this.options.mayApprove) return true;
    try {
      return this.options.mayApprove(approverId, request) === true;
    } catch {
      return false;
    }
  }

  private announce(event: ApprovalEvent): void {
    const notify = this.options.notify;
    if (!notify) return;
    const done: Promise<void> = Promise.resolve()
      .then(() => notify(event))
      .catch((err: unknown) => {
        try {
          this.options.onNotifyError?.(err, event);
        } catch {
          // A failing logger must not turn into an unhandled rejection.
        }
      })
      .finally(() => this.inflight.delete(done));
    this.inflight.add(done);
  }
}

/** `apr_` and 24 URL-safe random characters. */
export function newApprovalId(): string {
  return `apr_${randomBytes(18).toString('base64url')}`;
}

function assertPending(request: ApprovalView): void {
  if (request.status === 'pending') return;
  if (request.status === 'expired') throw new WardenError('approval_expired', `Approval request ${request.id} expired at ${request.expiresAt}`, { status: request.status });
  throw new WardenError('approval_not_pending', `Approval request ${request.id} is ${request.status}, not pending`, { status: request.status });
}
