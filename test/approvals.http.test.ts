import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { parse, stringify } from 'yaml';
import { buildServer } from '../src/transports/http/server.js';
import type { App } from '../src/app.js';
import type { Approvals} from '../src/approvals/approvals.js';
import { type ParkInput } from '../src/approvals/approvals.js';
import { openTempApp } from './support/temp-app.js';


let app: App;
let approvals: Approvals;
let server: FastifyInstance;
let cleanup: () => Promise<void>;
const auth: Record<'admin' | 'finance' | 'support' | 'alice' | 'bob', string> = { admin: '', finance: '', support: '', alice: '', bob: '' };

beforeAll(async () => {
  const config = parse(readFileSync(path.join('examples', 'quickstart', 'warden.yaml'), 'utf8')) as Record<string, unknown>;
  config.approvers = [
    { id: 'alice', name: 'Alice', teams: ['finance'] },
    { id: 'bob', teams: ['finance'] },
  ];
  config.approvals = { ttl_seconds: 600 };
  ({ app, cleanup } = await openTempApp({ quickstart: true, config: stringify(config) }));
  approvals = app.approvals;
  server = buildServer(app);
  auth.admin = `Bearer ${app.adminToken.token}`;
  auth.finance = `Bearer ${(await app.agents.createKey('finance-bot')).key}`;
  auth.support = `Bearer ${(await app.agents.createKey('support-bot')).key}`;
  auth.alice = `Bearer ${(await approvals.approvers.createKey('alice')).key}`;
  auth.bob = `Bearer ${(await approvals.approvers.createKey('bob')).key}`;
});
afterAll(async () => {
  await server?.close();
  await cleanup?.();
});
beforeEach(async () => {
  await app.db.exec('TRUNCATE approval_requests, approval_votes');
});

let digests = 0;
const park = (overrides: Partial<ParkInput> = {}) =>
  approvals.park({
    agentId: 'finance-bot',
    verb: 'tool.invoke',
    resource: 'bank.send_money',
    actionDigest: `sha256:${++digests}`,
    policyVersion: 'v1',
    policies: ['large-transfer-needs-approval'],
    reason: 'transfers above 1,000 need a human approval',
    critical: false,
    ...overrides,
  });

const get = (url: string, who?: keyof typeof auth) => server.inject({ method: 'GET', url, headers: who ? { authorization: auth[who] } : {} });
const post = (url: string, who: keyof typeof auth | string, body?: unknown) =>
  server.inject({
    method: 'POST',
    url,
    headers: { authorization: who in auth ? auth[who as keyof typeof auth] : who, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });

describe('GET /v1/approvals', () => {
  it('lists requests for the admin token and for an approver key, filtered by status', async () => {
    const pending = await park();
    const denied = await park();
    await approvals.vote(denied.id, 'alice', 'deny');
    for (const who of ['admin', 'alice'] as const) {
      const all = await get('/v1/approvals', who);
      expect(all.statusCode).toBe(200);
      expect(all.json().approvals.map((a: { id: string }) => a.id).sort()).toEqual([pending.id, denied.id].sort());
    }
    const only = (await get('/v1/approvals?status=pending', 'alice')).json();
    expect(only.approvals).toEqual([expect.objectContaining({ id: pending.id, status: 'pending', agentId: 'finance-bot', requiredApprovals: 1, votes: [] })]);
  });

  it('refuses agents, anonymous callers, and unknown query parameters with stable codes', async () => {
    expect((await get('/v1/approvals', 'finance')).json()).toMatchObject({ code: 'forbidden' });
    expect((await get('/v1/approvals', 'finance')).statusCode).toBe(403);
    expect((await get('/v1/approvals')).statusCode).toBe(401);
    expect((await get('/v1/approvals?state=pending', 'admin')).json()).toMatchObject({ code: 'invalid_request' });
    expect((await get('/v1/approvals?status=maybe', 'admin')).statusCode).toBe(400);
  });
});

describe('GET /v1/approvals/{id}', () => {
  it('lets the agent that parked a request poll it, and hides it from every other agent', async () => {
    const parked = await park();
    const mine = await get(`/v1/approvals/${parked.id}`, 'finance');
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({ id: parked.id, status: 'pending' });
    await approvals.vote(parked.id, 'alice', 'approve');
    expect((await get(`/v1/approvals/${parked.id}`, 'finance')).json()).toMatchObject({ status: 'approved', approvals: 1 });
    const theirs = await get(`/v1/approvals/${parked.id}`, 'support');
    expect(theirs.statusCode).toBe(404);
    expect(theirs.json()).toMatchObject({ code: 'approval_not_found' });
    expect((await get('/v1/approvals/apr_doesnotexist', 'admin')).json()).toMatchObject({ code: 'approval_not_found' });
    expect((await get('/v1/approvals/not-an-id', 'admin')).json()).toMatchObject({ code: 'invalid_request' });
  });
});

describe('POST /v1/approvals/{id}/approve and /deny', () => {
  it('approves with an approver key, recording the approver and the comment', async () => {
    const parked = await park();
    const res = await post(`/v1/approvals/${parked.id}/approve`, 'alice', { comment: 'invoice 42 checked' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: parked.id, status: 'approved', approvals: 1, votes: [{ approverId: 'alice', vote: 'approve', comment: 'invoice 42 checked' }] });
    expect(await approvals.grantFor(parked.actionDigest, 'v1')).toMatchObject({ granted: true, approvalId: parked.id });
  });

  it('needs two distinct approver keys for a critical resource; the same key twice is refused', async () => {
    const parked = await park({ critical: true });
    expect((await post(`/v1/approvals/${parked.id}/approve`, 'alice')).json()).toMatchObject({ status: 'pending', approvals: 1, requiredApprovals: 2 });
    const twice = await post(`/v1/approvals/${parked.id}/approve`, 'alice', {});
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ code: 'already_voted' });
    expect((await post(`/v1/approvals/${parked.id}/approve`, 'bob', {})).json()).toMatchObject({ status: 'approved', approvals: 2 });
  });

  it('never lets an agent key or the admin token vote', async () => {
    const parked = await park();
    for (const who of ['finance', 'support', 'admin'] as const) {
      for (const vote of ['approve', 'deny']) {
        const res = await post(`/v1/approvals/${parked.id}/${vote}`, who, {});
        expect(res.statusCode).toBe(403);
        expect(res.json()).toMatchObject({ code: 'forbidden' });
      }
    }
    const forged = await post(`/v1/approvals/${parked.id}/approve`, `Bearer wdn_apr_0123456789abcdef_${'A'.repeat(43)}`, {});
    expect(forged.statusCode).toBe(401);
    expect(forged.json()).toMatchObject({ code: 'unauthenticated' });
    expect(await approvals.get(parked.id)).toMatchObject({ status: 'pending', votes: [] });
  });

  it('denies on one deny and answers later votes with approval_not_pending', async () => {
    const parked = await park({ critical: true });
    expect((await post(`/v1/approvals/${parked.id}/deny`, 'alice', { comment: 'unknown vendor' })).json()).toMatchObject({ status: 'denied' });
    const late = await post(`/v1/approvals/${parked.id}/approve`, 'bob', {});
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: 'approval_not_pending', details: { status: 'denied' } });
  });

  it('answers a vote on an expired request with approval_expired', async () => {
    const parked = await park();
    await app.db.query("UPDATE approval_requests SET expires_at = now() - interval '1 second' WHERE id = $1", [parked.id]);
    const res = await post(`/v1/approvals/${parked.id}/approve`, 'alice', {});
    expect(res.statusCode).toBe(410);
    expect(res.json()).toMatchObject({ code: 'approval_expired' });
  });

  it('refuses unknown body fields, non-JSON bodies and unknown requests', async () => {
    const parked = await park();
    expect((await post(`/v1/approvals/${parked.id}/approve`, 'alice', { comment: 'ok', amount: 1 })).json()).toMatchObject({ code: 'invalid_request' });
    expect((await post(`/v1/approvals/${parked.id}/approve`, 'alice', '{nope')).json()).toMatchObject({ code: 'invalid_json' });
    expect((await post('/v1/approvals/apr_missing/approve', 'alice', {})).json()).toMatchObject({ code: 'approval_not_found' });
    expect(await approvals.get(parked.id)).toMatchObject({ status: 'pending' });
  });
});

describe('approver keys', () => {
  it('are created by the admin only, for configured approvers only', async () => {
    const created = await post('/v1/approvers/bob/keys', 'admin');
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ approver: 'bob', keyId: expect.stringMatching(/^[0-9a-f]{16}$/), key: expect.stringMatching(/^wdn_apr_/) });
    expect((await post('/v1/approvers/bob/keys', 'alice')).statusCode).toBe(403);
    expect((await post('/v1/approvers/bob/keys', 'finance')).statusCode).toBe(403);
    expect((await post('/v1/approvers/mallory/keys', 'admin')).json()).toMatchObject({ code: 'unknown_approver' });
  });

  it('cannot act for an agent or use the admin API', async () => {
    const invoke = await post('/v1/tools/bank.get_balance/invoke', 'alice', { arguments: { account: 'ops' } });
    expect(invoke.statusCode).toBe(403);
    expect(invoke.json()).toMatchObject({ code: 'forbidden' });
    expect((await post('/v1/authorize', 'alice', { action: 'tool.invoke', resource: 'bank.get_balance' })).statusCode).toBe(403);
    expect((await get('/v1/agents', 'alice')).statusCode).toBe(403);
    expect((await post('/v1/agents/finance-bot/suspend', 'alice')).statusCode).toBe(403);
  });

  it('are documented with the approval routes in the OpenAPI document', async () => {
    const doc = (await get('/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/approvals', '/v1/approvals/{id}', '/v1/approvals/{id}/approve', '/v1/approvals/{id}/deny', '/v1/approvers/{approver}/keys']));
    expect(doc.components.schemas.Approval.properties.status.enum).toContain('consumed');
  });
});
