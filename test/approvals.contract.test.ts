import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databases, resetDatabase } from './support/databases.js';
import type { SqlClient } from '../src/backends/sql/sql-client.js';
import { Approvals, type ApprovalEvent, type ParkInput } from '../src/approvals/approvals.js';
import { AgentStore } from '../src/identity/agent-store.js';

const APPROVERS = [
  { id: 'alice', name: 'Alice', teams: ['finance'] },
  { id: 'bob', teams: ['finance'] },
  { id: 'carol', teams: ['support'] },
];

const action = (overrides: Partial<ParkInput> = {}): ParkInput => ({
  agentId: 'finance-bot',
  verb: 'tool.invoke',
  resource: 'bank.send_money',
  actionDigest: 'sha256:aaaa',
  argsDigest: 'sha256:bbbb',
  policyVersion: 'v1',
  policies: ['large-transfer-needs-approval'],
  reason: 'transfers above 1,000 need a human approval',
  critical: false,
  ...overrides,
});

describe.each(databases)('approvals on $name', ({ open }) => {
  let db: SqlClient;
  let drop: () => Promise<void>;
  let reopen: (() => SqlClient) | undefined;
  let clock: Date;
  let events: ApprovalEvent[];
  let approvals: Approvals;
  const make = (client: SqlClient, extra: Partial<ConstructorParameters<typeof Approvals>[1]> = {}) =>
    new Approvals(client, { approvers: APPROVERS, ttlSeconds: 600, now: () => clock, notify: async (e) => void events.push(e), ...extra });

  beforeAll(async () => {
    ({ db, drop, reopen } = await open());
  });
  beforeEach(async () => {
    await resetDatabase(db);
    clock = new Date('2026-01-01T10:00:00Z');
    events = [];
    approvals = make(db);
  });
  afterAll(async () => drop());

  const advance = (seconds: number) => (clock = new Date(clock.getTime() + seconds * 1000));

  it('parks an action as one pending request, bound to its digest and policy version, and announces it once', async () => {
    const parked = await approvals.park(action({ sessionId: 's-1', risk: 72 }));
    expect(parked).toMatchObject({
      id: expect.stringMatching(/^apr_[A-Za-z0-9_-]{24}$/),
      agentId: 'finance-bot',
      verb: 'tool.invoke',
      resource: 'bank.send_money',
      actionDigest: 'sha256:aaaa',
      argsDigest: 'sha256:bbbb',
      policyVersion: 'v1',
      policies: ['large-transfer-needs-approval'],
      requiredApprovals: 1,
      approvals: 0,
      status: 'pending',
      createdAt: '2026-01-01T10:00:00.000Z',
      expiresAt: '2026-01-01T10:10:00.000Z',
      sessionId: 's-1',
      risk: 72,
      votes: [],
    });
    const again = await approvals.park(action());
    expect(again.id).toBe(parked.id);
    await approvals.settle();
    expect(events.map((e) => [e.type, e.approval.id])).toEqual([['approval.requested', parked.id]]);
  });

  it('parks concurrent resubmits of the same action as a single request', async () => {
    const parked = await Promise.all(Array.from({ length: 8 }, () => approvals.park(action())));
    expect(new Set(parked.map((p) => p.id)).size).toBe(1);
    expect(await approvals.list()).toHaveLength(1);
  });

  it('parks a new request for the same action under another policy version, and for other arguments', async () => {
    const first = await approvals.park(action());
    expect((await approvals.park(action({ policyVersion: 'v2' }))).id).not.toBe(first.id);
    expect((await approvals.park(action({ actionDigest: 'sha256:cccc' }))).id).not.toBe(first.id);
  });

  it('grants exactly the approved action under the policy version that asked, once', async () => {
    const parked = await approvals.park(action());
    expect(await approvals.grantFor('sha256:aaaa', 'v1')).toEqual({ granted: false, approvers: 0 });
    const decided = await approvals.vote(parked.id, 'alice', 'approve', 'ok, invoice 42');
    expect(decided).toMatchObject({ status: 'approved', approvals: 1, decidedAt: clock.toISOString(), votes: [{ approverId: 'alice', vote: 'approve', comment: 'ok, invoice 42' }] });
    expect(await approvals.grantFor('sha256:aaaa', 'v1')).toEqual({ granted: true, approvers: 1, approvalId: parked.id });
    expect(await approvals.grantFor('sha256:aaaa', 'v2')).toMatchObject({ granted: false });
    expect(await approvals.grantFor('sha256:dddd', 'v1')).toMatchObject({ granted: false });
    expect(await approvals.consume(parked.id)).toBe(true);
    expect(await approvals.consume(parked.id)).toBe(false);
    expect(await approvals.grantFor('sha256:aaaa', 'v1')).toMatchObject({ granted: false });
    expect(await approvals.get(parked.id)).toMatchObject({ status: 'consumed', consumedAt: clock.toISOString() });
    await approvals.settle();
    expect(events.map((e) => e.type)).toEqual(['approval.requested', 'approval.approved']);
  });

  it('lets exactly one of many concurrent consumers use an approval', async () => {
    const parked = await approvals.park(action());
    await approvals.vote(parked.id, 'alice', 'approve');
    // On PostgreSQL the consumers race from separate connection pools.
    const others = reopen ? [make(reopen()), make(reopen())] : [approvals];
    const all = [approvals, ...others];
    const won = await Promise.all(Array.from({ length: 24 }, (_, i) => all[i % all.length]!.consume(parked.id)));
    expect(won.filter(Boolean)).toHaveLength(1);
  });

  it('needs two distinct approvers for a critical resource', async () => {
    const parked = await approvals.park(action({ critical: true }));
    expect(parked.requiredApprovals).toBe(2);
    expect(await approvals.vote(parked.id, 'alice', 'approve')).toMatchObject({ status: 'pending', approvals: 1 });
    expect(await approvals.grantFor('sha256:aaaa', 'v1')).toMatchObject({ granted: false });
    await expect(approvals.vote(parked.id, 'alice', 'approve')).rejects.toMatchObject({ code: 'already_voted', status: 409 });
    expect(await approvals.vote(parked.id, 'bob', 'approve')).toMatchObject({ status: 'approved', approvals: 2 });
    expect(await approvals.grantFor('sha256:aaaa', 'v1')).toEqual({ granted: true, approvers: 2, approvalId: parked.id });
  });

  it('approves a critical request once when its two approvers vote at the same time', async () => {
    const parked = await approvals.park(action({ critical: true }));
    const other = reopen ? make(reopen()) : approvals;
    const [a, b] = await Promise.all([approvals.vote(parked.id, 'alice', 'approve'), other.vote(parked.id, 'bob', 'approve')]);
    expect([a.approvals, b.approvals].sort()).toEqual([1, 2]);
    expect(await approvals.get(parked.id)).toMatchObject({ status: 'approved', approvals: 2 });
  });

  it('denies on any deny, even after a first approval, and then refuses further votes', async () => {
    const parked = await approvals.park(action({ critical: true }));
    await approvals.vote(parked.id, 'alice', 'approve');
    expect(await approvals.vote(parked.id, 'bob', 'deny', 'not this vendor')).toMatchObject({ status: 'denied' });
    await expect(approvals.vote(parked.id, 'carol', 'approve')).rejects.toMatchObject({ code: 'approval_not_pending', status: 409 });
    expect(await approvals.grantFor('sha256:aaaa', 'v1')).toMatchObject({ granted: false });
    expect(await approvals.consume(parked.id)).toBe(false);
    await approvals.settle();
    expect(events.map((e) => e.type)).toEqual(['approval.requested', 'approval.denied']);
  });

  it('refuses a vote from anyone who is not a configured approver, agents included', async () => {
    const parked = await approvals.park(action());
    await expect(approvals.vote(parked.id, 'mallory', 'approve')).rejects.toMatchObject({ code: 'approver_forbidden', status: 403 });
    await expect(approvals.vote(parked.id, 'finance-bot', 'approve')).rejects.toMatchObject({ code: 'approver_forbidden' });
    await expect(approvals.vote('apr_nope', 'alice', 'approve')).rejects.toMatchObject({ code: 'approval_not_found', status: 404 });
    expect(await approvals.get(parked.id)).toMatchObject({ status: 'pending', votes: [] });
  });

  it('refuses an approver the policy does not let decide the request', async () => {
    const byTeam = make(db, { mayApprove: (approverId, request) => approverId !== 'carol' && request.resource.startsWith('bank.') });
    const parked = await byTeam.park(action());
    await expect(byTeam.vote(parked.id, 'carol', 'approve')).rejects.toMatchObject({ code: 'approver_forbidden' });
    const throwing = make(db, {
      mayApprove: () => {
        throw new Error('policy engine down');
      },
    });
    await expect(throwing.vote(parked.id, 'alice', 'approve')).rejects.toMatchObject({ code: 'approver_forbidden' });
    expect(await byTeam.vote(parked.id, 'alice', 'approve')).toMatchObject({ status: 'approved' });
  });

  it('expires a request nobody decided in time, refuses votes on it, and parks the action afresh', async () => {
    const parked = await approvals.park(action());
    advance(601);
    await expect(approvals.vote(parked.id, 'alice', 'approve')).rejects.toMatchObject({ code: 'approval_expired', status: 410 });
    expect(await approvals.get(parked.id)).toMatchObject({ status: 'expired' });
    expect(await approvals.list({ status: 'pending' })).toEqual([]);
    const again = await approvals.park(action());
    expect(again.id).not.toBe(parked.id);
    expect(again.status).toBe('pending');
  });

  it('does not grant or consume an approval that expired before it was used', async () => {
    const parked = await approvals.park(action());
    await approvals.vote(parked.id, 'alice', 'approve');
    advance(600);
    expect(await approvals.consume(parked.id)).toBe(false);
    expect(await approvals.grantFor('sha256:aaaa', 'v1')).toMatchObject({ granted: false });
    expect(await approvals.get(parked.id)).toMatchObject({ status: 'expired' });
  });

  it('cancels the pending and unused approvals of an agent when it is suspended (kill switch)', async () => {
    const pending = await approvals.park(action());
    const approved = await approvals.park(action({ actionDigest: 'sha256:eeee' }));
    await approvals.vote(approved.id, 'alice', 'approve');
    const other = await approvals.park(action({ agentId: 'support-bot', actionDigest: 'sha256:ffff' }));
    const agents = new AgentStore(db, [{ id: 'finance-bot', roles: [], clearance: 'internal', tags: {} }]);
    await agents.setSuspended('finance-bot', true);
    expect(await approvals.cancelForAgent('finance-bot')).toBe(2);
    expect((await approvals.get(pending.id))?.status).toBe('cancelled');
    expect((await approvals.get(approved.id))?.status).toBe('cancelled');
    expect((await approvals.get(other.id))?.status).toBe('pending');
    expect(await approvals.grantFor('sha256:eeee', 'v1')).toMatchObject({ granted: false });
    await expect(approvals.vote(pending.id, 'bob', 'approve')).rejects.toMatchObject({ code: 'approval_not_pending' });
    expect(await approvals.cancelForAgent('finance-bot')).toBe(0);
  });

  it('lists newest first, filtered by status and agent', async () => {
    const a = await approvals.park(action());
    advance(1);
    const b = await approvals.park(action({ actionDigest: 'sha256:1111', agentId: 'support-bot' }));
    await approvals.vote(a.id, 'alice', 'deny');
    expect((await approvals.list()).map((r) => r.id)).toEqual([b.id, a.id]);
    expect((await approvals.list({ status: 'denied' })).map((r) => r.id)).toEqual([a.id]);
    expect((await approvals.list({ agentId: 'support-bot' })).map((r) => r.id)).toEqual([b.id]);
    expect(await approvals.list({ limit: 1 })).toHaveLength(1);
  });

  it('parks even when the notification fails, and reports the failure to the caller', async () => {
    const failures: string[] = [];
    const failing = make(db, {
      notify: async () => {
        throw new Error('webhook down');
      },
      onNotifyError: (err, event) => failures.push(`${event.type}: ${(err as Error).message}`),
    });
    expect((await failing.park(action())).status).toBe('pending');
    await failing.settle();
    expect(failures).toEqual(['approval.requested: webhook down']);
  });

  it('authenticates approver keys, and never an agent key or the admin token', async () => {
    const { key, keyId } = await approvals.approvers.createKey('alice');
    expect(key).toMatch(/^wdn_apr_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(await approvals.approvers.authenticate(key)).toBe('alice');
    const agents = new AgentStore(db, [{ id: 'finance-bot', roles: [], clearance: 'internal', tags: {} }]);
    const agentKey = (await agents.createKey('finance-bot')).key;
    expect(await approvals.approvers.authenticate(agentKey)).toBeUndefined();
    expect(await approvals.approvers.authenticate(`wdn_admin_${'x'.repeat(43)}`)).toBeUndefined();
    expect(await approvals.approvers.authenticate(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'))).toBeUndefined();
    // The same data with an approver removed from the configuration: its key stops working.
    const reconfigured = new Approvals(db, { approvers: APPROVERS.filter((a) => a.id !== 'alice'), ttlSeconds: 600 });
    expect(await reconfigured.approvers.authenticate(key)).toBeUndefined();
    expect(await approvals.approvers.revokeKey(keyId)).toBe(true);
    expect(await approvals.approvers.authenticate(key)).toBeUndefined();
    await expect(approvals.approvers.createKey('finance-bot')).rejects.toMatchObject({ code: 'unknown_approver' });

    const parked = await approvals.park(action());
    await expect(approvals.voteWithKey(agentKey, parked.id, 'approve')).rejects.toMatchObject({ code: 'unauthenticated' });
    const bob = (await approvals.approvers.createKey('bob')).key;
    expect(await approvals.voteWithKey(bob, parked.id, 'approve')).toMatchObject({ status: 'approved', votes: [{ approverId: 'bob' }] });
    expect(await approvals.approvers.list()).toEqual([
      { id: 'alice', name: 'Alice', teams: ['finance'], keys: 0 },
      { id: 'bob', teams: ['finance'], keys: 1 },
      { id: 'carol', teams: ['support'], keys: 0 },
    ]);
  });
});
