import type { Queryable } from '../backends/sql/sql-client.js';

export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'expired', 'cancelled', 'consumed'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];
export type Vote = 'approve' | 'deny';

export interface ApprovalVote {
  approverId: string;
  vote: Vote;
  /** ISO 8601. */
  at: string;
  comment?: string;
}

/** What identifies a parked action: who wants to do what, exactly, and which policies asked. */
export interface ParkedAction {
  agentId: string;
  verb: string;
  resource: string;
  /** The digest of the exact action (agent, verb, resource, canonical arguments) this request is bound to. */
  actionDigest: string;
  argsDigest?: string;
  /** The policy version that asked for the approval: a grant holds only under that version. */
  policyVersion: string;
  /** The policies that asked for the approval. */
  policies: string[];
  reason?: string;
  sessionId?: string;
  risk?: number;
}

/** An approval request as every surface shows it (CLI, HTTP, webhook). Times are ISO 8601. */
export interface ApprovalView extends ParkedAction {
  id: string;
  requiredApprovals: number;
  /** Distinct approvers who approved so far. */
  approvals: number;
  status: ApprovalStatus;
  createdAt: string;
  expiresAt: string;
  decidedAt?: string;
  consumedAt?: string;
  votes: ApprovalVote[];
}

export interface NewApprovalRow extends ParkedAction {
  id: string;
  requiredApprovals: number;
  createdAt: Date;
  expiresAt: Date;
}

interface RequestRow {
  id: string;
  agent_id: string;
  verb: string;
  resource: string;
  action_digest: string;
  args_digest: string | null;
  policy_version: string;
  policies: string;
  reason: string | null;
  required_approvals: number;
  status: ApprovalStatus;
  created_at: Date | string;
  expires_at: Date | string;
  decided_at: Date | string | null;
  consumed_at: Date | string | null;
  session_id: string | null;
  risk: number | null;
}

interface VoteRow {
  request_id: string;
  approver_id: string;
  vote: Vote;
  at: Date | string;
  comment: string | null;
}

const COLUMNS =
  'id, agent_id, verb, resource, action_digest, args_digest, policy_version, policies, reason, required_approvals, status, created_at, expires_at, decided_at, consumed_at, session_id, risk';

const iso = (t: Date | string) => (t instanceof Date ? t : new Date(t)).toISOString();

/**
 * The SQL of approvals, one statement per method, over any Queryable (the client or a transaction).
 * Times are parameters, not `now()`: the caller's clock decides expiry, so tests can move it.
 */
export class ApprovalStore {
  async insertPending(q: Queryable, r: NewApprovalRow): Promise<boolean> {
    const { rows } = await q.query(
      `INSERT INTO approval_requests (id, agent_id, verb, resource, action_digest, args_digest, policy_version, policies, reason,
         required_approvals, status, created_at, expires_at, session_id, risk)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11::timestamptz, $12::timestamptz, $13, $14)
       ON CONFLICT (action_digest, policy_version) WHERE status = 'pending' DO NOTHING
       RETURNING id`,
      [
        r.id,
        r.agentId,
        r.verb,
        r.resource,
        r.actionDigest,
        r.argsDigest ?? null,
        r.policyVersion,
        JSON.stringify(r.policies),
        r.reason ?? null,
        r.requiredApprovals,
        r.createdAt.toISOString(),
        r.expiresAt.toISOString(),
        r.sessionId ?? null,
        r.risk ?? null,
      ],
    );
    return rows.length > 0;
  }

  async findPending(q: Queryable, actionDigest: string, policyVersion: string): Promise<ApprovalView | undefined> {
    const { rows } = await q.query<RequestRow>(`SELECT ${COLUMNS} FROM approval_requests WHERE action_digest = $1 AND policy_version = $2 AND status = 'pending'`, [
      actionDigest,
      policyVersion,
    ]);
    return (await this.withVotes(q, rows))[0];
  }

  /** The oldest approved, unconsumed, unexpired request for exactly this action under this policy version. */
  async findGrant(q: Queryable, actionDigest: string, policyVersion: string, now: Date): Promise<ApprovalView | undefined> {
    const { rows } = await q.query<RequestRow>(
      `SELECT ${COLUMNS} FROM approval_requests
       WHERE action_digest = $1 AND policy_version = $2 AND status = 'approved' AND expires_at > $3::timestamptz
       ORDER BY decided_at, id LIMIT 1`,
      [actionDigest, policyVersion, now.toISOString()],
    );
    return (await this.withVotes(q, rows))[0];
  }

  async get(q: Queryable, id: string, forUpdate = false): Promise<ApprovalView | undefined> {
    const { rows } = await q.query<RequestRow>(`SELECT ${COLUMNS} FROM approval_requests WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
    return (await this.withVotes(q, rows))[0];
  }

  async list(q: Queryable, filter: { status?: ApprovalStatus; agentId?: string; limit: number }): Promise<ApprovalView[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) where.push(`status = $${params.push(filter.status)}`);
    if (filter.agentId) where.push(`agent_id = $${params.push(filter.agentId)}`);
    const { rows } = await q.query<RequestRow>(
      `SELECT ${COLUMNS} FROM approval_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT $${params.push(filter.limit)}`,
      params,
    );
    return this.withVotes(q, rows);
  }

  async insertVote(q: Queryable, requestId: string, approverId: string, vote: Vote, at: Date, comment?: string): Promise<boolean> {
    const { rows } = await q.query(
      `INSERT INTO approval_votes (request_id, approver_id, vote, at, comment) VALUES ($1, $2, $3, $4::timestamptz, $5)
       ON CONFLICT (request_id, approver_id) DO NOTHING RETURNING approver_id`,
      [requestId, approverId, vote, at.toISOString(), comment ?? null],
    );
    return rows.length > 0;
  }

  /** Moves a request from one status to another (and stamps the decision); false when it was no longer in `from`. */
  async transition(q: Queryable, id: string, from: ApprovalStatus, to: ApprovalStatus, at: Date): Promise<boolean> {
    const { rows } = await q.query(`UPDATE approval_requests SET status = $3, decided_at = $4::timestamptz WHERE id = $1 AND status = $2 RETURNING id`, [
      id,
      from,
      to,
      at.toISOString(),
    ]);
    return rows.length > 0;
  }

  /** Single use: exactly one caller turns an approved, unexpired request into a consumed one. */
  async consume(q: Queryable, id: string, now: Date): Promise<boolean> {
    const { rows } = await q.query(
      `UPDATE approval_requests SET status = 'consumed', consumed_at = $2::timestamptz
       WHERE id = $1 AND status = 'approved' AND expires_at > $2::timestamptz RETURNING id`,
      [id, now.toISOString()],
    );
    return rows.length > 0;
  }

  /** Pending or approved-but-unused requests past their expiry become `expired`; returns how many. */
  async expire(q: Queryable, now: Date): Promise<number> {
    const { rows } = await q.query(
      `UPDATE approval_requests SET status = 'expired', decided_at = coalesce(decided_at, $1::timestamptz)
       WHERE status IN ('pending', 'approved') AND expires_at <= $1::timestamptz RETURNING id`,
      [now.toISOString()],
    );
    return rows.length;
  }

  /** The kill switch: every pending or approved-but-unused request of an agent is cancelled. */
  async cancelForAgent(q: Queryable, agentId: string, now: Date): Promise<ApprovalView[]> {
    const { rows } = await q.query<RequestRow>(
      `UPDATE approval_requests SET status = 'cancelled', decided_at = $2::timestamptz
       WHERE agent_id = $1 AND status IN ('pending', 'approved') RETURNING ${COLUMNS}`,
      [agentId, now.toISOString()],
    );
    return this.withVotes(q, rows);
  }

  private async withVotes(q: Queryable, rows: RequestRow[]): Promise<ApprovalView[]> {
    if (rows.length === 0) return [];
    const { rows: votes } = await q.query<VoteRow>('SELECT request_id, approver_id, vote, at, comment FROM approval_votes WHERE request_id = ANY($1) ORDER BY at, approver_id', [
      rows.map((r) => r.id),
    ]);
    const byRequest = new Map<string, ApprovalVote[]>();
    for (const v of votes) {
      const list = byRequest.get(v.request_id) ?? [];
      list.push({ approverId: v.approver_id, vote: v.vote, at: iso(v.at), ...(v.comment !== null ? { comment: v.comment } : {}) });
      byRequest.set(v.request_id, list);
    }
    return rows.map((r) => toView(r, byRequest.get(r.id) ?? []));
  }
}

function toView(r: RequestRow, votes: ApprovalVote[]): ApprovalView {
  return {
    id: r.id,
    agentId: r.agent_id,
    verb: r.verb,
    resource: r.resource,
    actionDigest: r.action_digest,
    ...(r.args_digest !== null ? { argsDigest: r.args_digest } : {}),
    policyVersion: r.policy_version,
    policies: JSON.parse(r.policies) as string[],
    ...(r.reason !== null ? { reason: r.reason } : {}),
    requiredApprovals: Number(r.required_approvals),
    approvals: votes.filter((v) => v.vote === 'approve').length,
    status: r.status,
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
    ...(r.decided_at !== null ? { decidedAt: iso(r.decided_at) } : {}),
    ...(r.consumed_at !== null ? { consumedAt: iso(r.consumed_at) } : {}),
    ...(r.session_id !== null ? { sessionId: r.session_id } : {}),
    ...(r.risk !== null ? { risk: Number(r.risk) } : {}),
    votes,
  };
}
