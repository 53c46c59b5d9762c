import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/transports/http/server.js';
import type { App } from '../src/app.js';
import { Delegations } from '../src/identity/delegation.js';
import { generateKeyPairSync } from 'node:crypto';
import { executionRecord, ledgerRecord, openTempApp } from './support/temp-app.js';

/**
 * Delegation on the quickstart: finance-bot lends support-bot tools for one task. A delegated call
 * must be in the token and allowed by both agents' policies: never more than the intersection.
 */
let app: App;
let server: FastifyInstance;
let cleanup: () => Promise<void>;
const keys: Record<string, string> = {};

beforeAll(async () => {
  ({ app, cleanup } = await openTempApp({ quickstart: true }));
  server = buildServer(app);
  await server.ready();
  for (const agent of ['support-bot', 'finance-bot', 'research-bot']) keys[agent] = (await app.agents.createKey(agent)).key;
});
afterAll(async () => {
  await server.close();
  await cleanup();
});

const lend = (from: string, body: Record<string, unknown>) =>
  server.inject({ method: 'POST', url: '/v1/delegations', headers: { authorization: `Bearer ${keys[from]}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
const call = (agent: string, tool: string, args: Record<string, unknown>, delegation?: string) =>
  server.inject({
    method: 'POST',
    url: `/v1/tools/${tool}/invoke`,
    headers: { authorization: `Bearer ${keys[agent]}`, 'content-type': 'application/json', ...(delegation ? { 'x-warden-delegation': delegation } : {}) },
    payload: JSON.stringify({ arguments: args }),
  });

describe('delegation', () => {
  it('lets support-bot use a lent tool under the token, and records who lent it', async () => {
    const issued = await lend('finance-bot', { to: 'support-bot', tools: ['bank.get_balance'], ttl_seconds: 300, task: 'ticket 4411' });
    expect(issued.statusCode).toBe(201);
    const { token, id } = issued.json();
    expect(token).toMatch(/^wdn_dlg_/);
    const res = await call('support-bot', 'bank.get_balance', { account: 'ACC-1' }, token);
    expect(res.statusCode).toBe(200);
    expect(await ledgerRecord(app, res.json().seq)).toMatchObject({ agentId: 'support-bot', delegation: { id, from: 'finance-bot' } });
    expect((await executionRecord(app, res.json().seq)).execution).toMatchObject({ outcome: 'success' });
  });

  it('never lets the token reach beyond its tools, or beyond the holder’s own policies', async () => {
    const { token } = (await lend('finance-bot', { to: 'support-bot', tools: ['bank.send_money', 'bank.get_balance'] })).json();
    const outside = await call('support-bot', 'bank.list_transactions', { account: 'ACC-1' }, token);
    expect(outside.json()).toMatchObject({ code: 'delegation_invalid' });
    const beyondHolder = await call('support-bot', 'bank.send_money', { amount: 10, to: 'DE89370400440532013000' }, token);
    expect(beyondHolder.statusCode).toBe(403);
    expect(beyondHolder.json()).toMatchObject({ code: 'policy_denied' });
  });

  it('refuses to lend what the delegator may never use, and a delegation no policy permits', async () => {
    const foreign = await lend('finance-bot', { to: 'support-bot', tools: ['files.read'] });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().message).toMatch(/cannot lend what it may never use: files\.read/);
    const unpermitted = await lend('research-bot', { to: 'support-bot', tools: ['files.read'] });
    expect(unpermitted.statusCode).toBe(403);
  });

  it('refuses a forged, expired, misdirected or orphaned token', async () => {
    const { token } = (await lend('finance-bot', { to: 'support-bot', tools: ['bank.get_balance'] })).json();
    const forged = `${token.slice(0, -4)}AAAA`;
    expect((await call('support-bot', 'bank.get_balance', { account: 'ACC-1' }, forged)).json()).toMatchObject({ code: 'delegation_invalid' });
    expect((await call('research-bot', 'bank.get_balance', { account: 'ACC-1' }, token)).json()).toMatchObject({ code: 'delegation_invalid' });
    const otherKey = new Delegations(generateKeyPairSync('ed25519').privateKey);
    const foreignToken = otherKey.issue({ from: 'finance-bot', to: 'support-bot', tools: ['bank.get_balance'], ttlSeconds: 60 }).token;
    expect((await call('support-bot', 'bank.get_balance', { account: 'ACC-1' }, foreignToken)).json()).toMatchObject({ code: 'delegation_invalid' });
    const expired = new Delegations(generateKeyPairSync('ed25519').privateKey, () => 0).issue({ from: 'finance-bot', to: 'support-bot', tools: ['bank.get_balance'], ttlSeconds: 1 });
    expect(app.delegations.check(expired.token, { requestId: 'r', agentId: 'support-bot', verb: 'tool.invoke', resource: 'bank.get_balance', context: {}, credential: { kind: 'api_key' } })).toMatchObject({ ok: false });
    await app.agents.setSuspended('finance-bot', true);
    expect((await call('support-bot', 'bank.get_balance', { account: 'ACC-1' }, token)).json()).toMatchObject({ code: 'delegation_invalid', message: 'Refused (delegation_invalid): the delegating agent finance-bot is suspended' });
    await app.agents.setSuspended('finance-bot', false);
  });

  it('answers a malformed delegation request with 400', async () => {
    expect((await lend('finance-bot', { to: 'support-bot', tools: [] })).statusCode).toBe(400);
    expect((await lend('finance-bot', { to: 'support-bot', tools: ['bank.get_balance'], ttl_seconds: 10_000_000 })).statusCode).toBe(400);
  });
});
