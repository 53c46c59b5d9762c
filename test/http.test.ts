import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/transports/http/server.js';
import type { App } from '../src/app.js';
import { quickstartApp } from './support/app.js';

let app: App;
let server: FastifyInstance;
let cleanup: () => Promise<void>;
let admin: string;
let financeKey: string;

beforeAll(async () => {
  ({ app, cleanup } = await quickstartApp());
  server = buildServer(app);
  admin = `Bearer ${app.adminToken.token}`;
  financeKey = `Bearer ${(await app.agents.createKey('finance-bot')).key}`;
});
afterAll(async () => {
  await server.close();
  await cleanup();
});

const authorize = (authorization: string | undefined, payload: unknown, headers: Record<string, string> = {}) =>
  server.inject({
    method: 'POST',
    url: '/v1/authorize',
    headers: { ...(authorization ? { authorization } : {}), 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

describe('POST /v1/authorize', () => {
  it('decides for the agent whose API key is presented', async () => {
    const res = await authorize(financeKey, { action: 'tool.invoke', resource: 'bank.send_money', context: { args: { amount: 50 } } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ decision: 'allow', policies: ['payments-send-money'], obligations: {}, requestId: expect.any(String) });
  });

  it('answers approval_required with the approval policy for a large transfer', async () => {
    const res = await authorize(financeKey, { action: 'tool.invoke', resource: 'bank.send_money', context: { args: { amount: 5000 } } });
    expect(res.json()).toMatchObject({ decision: 'approval_required', policies: ['large-transfer-needs-approval'] });
  });

  it('lets the admin decide for a named agent', async () => {
    const res = await authorize(admin, { agent: 'support-bot', action: 'tool.invoke', resource: 'bank.send_money', context: { args: { amount: 50 } } });
    expect(res.json()).toMatchObject({ decision: 'deny', policies: [], reason: 'default_deny' });
  });

  it('forbids an agent key from deciding for another agent', async () => {
    const res = await authorize(financeKey, { agent: 'support-bot', action: 'tool.invoke', resource: 'mail.read_inbox' });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('forbidden');
  });

  it('answers 401 without a credential, before looking at the body', async () => {
    const res = await authorize(undefined, '{not json');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ code: 'unauthenticated', message: expect.any(String) });
  });

  it('answers 401 for a forged key and a wrong admin token', async () => {
    expect((await authorize('Bearer wdn_0123456789abcdef_' + 'A'.repeat(43), { action: 'tool.invoke', resource: 'x' })).statusCode).toBe(401);
    expect((await authorize('Bearer wdn_admin_nope', { action: 'tool.invoke', resource: 'x' })).statusCode).toBe(401);
  });

  it('answers 400 invalid_json for malformed JSON', async () => {
    const res = await authorize(financeKey, '{"action": "tool.invoke",');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_json');
  });

  it('answers 400 invalid_request for a wrong type, a missing field or an unknown field', async () => {
    for (const body of [{ action: 5, resource: 'bank.get_balance' }, { action: 'tool.invoke' }, { action: 'tool.invoke', resource: 'x', extra: 1 }]) {
      const res = await authorize(financeKey, body);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('invalid_request');
    }
  });

  it('answers 413 for a body over the configured limit', async () => {
    const res = await authorize(financeKey, { action: 'tool.invoke', resource: 'bank.get_balance', context: { args: { pad: 'x'.repeat(1_100_000) } } });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('body_too_large');
  });

  it('answers 415 for a body that is not JSON', async () => {
    const res = await authorize(financeKey, 'action=tool.invoke', { 'content-type': 'text/plain' });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('unsupported_media_type');
  });

  it('answers 404 for an unknown resource and 400 for an unknown verb, and records both', async () => {
    const unknownTool = await authorize(financeKey, { action: 'tool.invoke', resource: 'bank.print_money' });
    expect(unknownTool.statusCode).toBe(404);
    expect(unknownTool.json()).toMatchObject({ code: 'unknown_resource', details: { seq: expect.any(Number) } });
    const unknownVerb = await authorize(financeKey, { action: 'tool.explode', resource: 'bank.get_balance' });
    expect(unknownVerb.statusCode).toBe(400);
    expect(unknownVerb.json().code).toBe('invalid_action');
    await app.ledger.flush();
    const { rows } = await app.db.query<{ body: string }>('SELECT body FROM audit_ledger ORDER BY seq DESC LIMIT 2');
    expect(rows.map((r) => JSON.parse(r.body).record.reason)).toEqual(['invalid_action', 'unknown_resource']);
  });

  it('answers 404 for an unknown agent named by the admin, and records it', async () => {
    const res = await authorize(admin, { agent: 'shadow-bot', action: 'tool.invoke', resource: 'mail.read_inbox' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('unknown_agent');
  });

  it('denies a suspended agent on its next request and allows it again once resumed', async () => {
    const suspend = await server.inject({ method: 'POST', url: '/v1/agents/finance-bot/suspend', headers: { authorization: admin } });
    expect(suspend.statusCode).toBe(200);
    const denied = await authorize(financeKey, { action: 'tool.invoke', resource: 'bank.get_balance' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('agent_suspended');
    await server.inject({ method: 'POST', url: '/v1/agents/finance-bot/resume', headers: { authorization: admin } });
    expect((await authorize(financeKey, { action: 'tool.invoke', resource: 'bank.get_balance' })).json().decision).toBe('allow');
  });
});

describe('admin API', () => {
  it('pages the ledger and verifies it', async () => {
    const first = await server.inject({ method: 'GET', url: '/v1/audit?limit=2', headers: { authorization: admin } });
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page.entries.map((e: { seq: number }) => e.seq)).toEqual([1, 2]);
    expect(page.next).toBe(2);
    const second = await server.inject({ method: 'GET', url: `/v1/audit?after=${page.next}&limit=2`, headers: { authorization: admin } });
    expect(second.json().entries[0].seq).toBe(3);
    const verify = await server.inject({ method: 'GET', url: '/v1/audit/verify', headers: { authorization: admin } });
    expect(verify.json()).toMatchObject({ ok: true, entries: expect.any(Number) });
  });

  it('rejects a malformed paging parameter', async () => {
    const res = await server.inject({ method: 'GET', url: '/v1/audit?limit=lots', headers: { authorization: admin } });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_request');
  });

  it('keeps the admin API from agent keys', async () => {
    for (const url of ['/v1/audit', '/v1/audit/verify', '/v1/agents']) {
      const res = await server.inject({ method: 'GET', url, headers: { authorization: financeKey } });
      expect(res.statusCode).toBe(403);
    }
  });

  it('creates an API key for an agent and 404s for an unknown one', async () => {
    const created = await server.inject({ method: 'POST', url: '/v1/agents/research-bot/keys', headers: { authorization: admin } });
    expect(created.statusCode).toBe(201);
    expect(created.json().key).toMatch(/^wdn_[0-9a-f]{16}_/);
    const unknown = await server.inject({ method: 'POST', url: '/v1/agents/shadow-bot/keys', headers: { authorization: admin } });
    expect(unknown.statusCode).toBe(404);
    const list = await server.inject({ method: 'GET', url: '/v1/agents', headers: { authorization: admin } });
    expect(list.json().agents.find((a: { id: string }) => a.id === 'research-bot').keys).toBe(1);
  });
});

describe('service endpoints', () => {
  it('serves health, readiness and the OpenAPI document without a credential', async () => {
    expect((await server.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await server.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({ status: 'ready', policies: 22 });
    const doc = (await server.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/authorize', '/v1/audit', '/v1/audit/verify', '/healthz', '/readyz', '/v1/kb/{kb}/retrieve', '/v1/memory/{name}', '/v1/admin/keys']));
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await server.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('not_found');
  });
});
