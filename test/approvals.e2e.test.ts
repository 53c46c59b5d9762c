import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/transports/http/server.js';
import type { App } from '../src/app.js';
import { openTempApp } from './support/temp-app.js';

/**
 * Human approval through the Gate on the quickstart: a large transfer is parked, not executed;
 * two finance approvers (send_money is critical) approve it; the agent resubmits and it runs once.
 */
let app: App;
let server: FastifyInstance;
let cleanup: () => Promise<void>;
const auth: Record<string, string> = {};

beforeAll(async () => {
  ({ app, cleanup } = await openTempApp({ quickstart: true }));
  server = buildServer(app);
  await server.ready();
  auth.finance = `Bearer ${(await app.agents.createKey('finance-bot')).key}`;
  for (const who of ['alice', 'bob', 'carol']) auth[who] = `Bearer ${(await app.approvals.approvers.createKey(who)).key}`;
});
afterAll(async () => {
  await server.close();
  await cleanup();
});

const transfer = (amount: number, to = 'DE89370400440532013000') =>
  server.inject({
    method: 'POST',
    url: '/v1/tools/bank.send_money/invoke',
    headers: { authorization: auth.finance!, 'content-type': 'application/json' },
    payload: JSON.stringify({ arguments: { amount, to, currency: 'EUR' }, sessionId: `s-${amount}-${to}` }),
  });
const vote = (who: string, id: string, how: 'approve' | 'deny') =>
  server.inject({ method: 'POST', url: `/v1/approvals/${id}/${how}`, headers: { authorization: auth[who]!, 'content-type': 'application/json' }, payload: '{}' });

describe('approval through the Gate', () => {
  it('parks a large transfer, runs it once after two finance approvers, and parks it again afterwards', async () => {
    const parked = await transfer(1500);
    expect(parked.statusCode).toBe(202);
    const { approvalId } = parked.json();
    expect(approvalId).toMatch(/^apr_/);
    expect((await transfer(1500)).json().approvalId).toBe(approvalId);

    expect((await server.inject({ method: 'GET', url: `/v1/approvals/${approvalId}`, headers: { authorization: auth.finance! } })).json()).toMatchObject({
      status: 'pending',
      requiredApprovals: 2,
      policies: ['large-transfer-needs-approval'],
    });
    expect((await vote('carol', approvalId, 'approve')).statusCode).toBe(403);
    expect((await vote('alice', approvalId, 'approve')).json()).toMatchObject({ status: 'pending', approvals: 1 });
    expect((await transfer(1500)).statusCode).toBe(202);
    expect((await vote('bob', approvalId, 'approve')).json()).toMatchObject({ status: 'approved', approvals: 2 });

    const ran = await transfer(1500);
    expect(ran.statusCode).toBe(200);
    expect(ran.json().result.structuredContent).toMatchObject({ amount: 1500 });
    expect((await server.inject({ method: 'GET', url: `/v1/approvals/${approvalId}`, headers: { authorization: auth.finance! } })).json().status).toBe('consumed');

    const again = await transfer(1500);
    expect(again.statusCode).toBe(202);
    expect(again.json().approvalId).not.toBe(approvalId);
  });

  it('grants only exactly the approved action: another amount needs its own approval', async () => {
    const parked = (await transfer(1200)).json().approvalId as string;
    await vote('alice', parked, 'approve');
    await vote('bob', parked, 'approve');
    const other = await transfer(1201);
    expect(other.statusCode).toBe(202);
    expect(other.json().approvalId).not.toBe(parked);
  });

  it('lets one deny refuse the request, so the resubmitted action stays parked', async () => {
    const parked = (await transfer(1300)).json().approvalId as string;
    expect((await vote('alice', parked, 'deny')).json()).toMatchObject({ status: 'denied' });
    const resubmitted = await transfer(1300);
    expect(resubmitted.statusCode).toBe(202);
  });

  it('cancels the pending approvals of an agent that is suspended', async () => {
    const parked = (await transfer(1400)).json().approvalId as string;
    await app.agents.setSuspended('finance-bot', true);
    expect((await app.approvals.get(parked))?.status).toBe('cancelled');
    await app.agents.setSuspended('finance-bot', false);
  });
});
