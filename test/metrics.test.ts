import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/transports/http/server.js';
import type { App } from '../src/app.js';
import { openTempApp } from './support/temp-app.js';

/** Gateway metrics in Prometheus text at /v1/metrics, fed by every decision and execution. */
let app: App;
let server: FastifyInstance;
let cleanup: () => Promise<void>;
let finance: string;

beforeAll(async () => {
  ({ app, cleanup } = await openTempApp({ quickstart: true }));
  server = buildServer(app);
  await server.ready();
  finance = `Bearer ${(await app.agents.createKey('finance-bot')).key}`;
});
afterAll(async () => {
  await server.close();
  await cleanup();
});

const invoke = (tool: string, args: Record<string, unknown>) =>
  server.inject({ method: 'POST', url: `/v1/tools/${tool}/invoke`, headers: { authorization: finance, 'content-type': 'application/json' }, payload: JSON.stringify({ arguments: args }) });

describe('GET /v1/metrics', () => {
  it('counts decisions by outcome and executions, with latency histograms and pending approvals', async () => {
    expect((await invoke('bank.get_balance', { account: 'ACC-1' })).statusCode).toBe(200);
    expect((await invoke('files.delete', { path: 'x' })).statusCode).toBe(403);
    expect((await invoke('bank.send_money', { amount: 5000, to: 'DE89370400440532013000' })).statusCode).toBe(202);
    await new Promise((r) => setTimeout(r, 50)); // the execution entry is logged after the reply
    const res = await server.inject({ method: 'GET', url: '/v1/metrics', headers: { authorization: `Bearer ${app.adminToken.token}` } });
    expect(res.statusCode).toBe(200);
    const text = res.body;
    expect(text).toMatch(/warden_decisions_total\{verb="tool.invoke",decision="allow"[^}]*\} 1/);
    expect(text).toMatch(/warden_decisions_total\{verb="tool.invoke",decision="deny"[^}]*\} 1/);
    expect(text).toMatch(/warden_decisions_total\{verb="tool.invoke",decision="approval_required"[^}]*\} 1/);
    expect(text).toMatch(/warden_executions_total\{verb="tool.invoke",outcome="success"[^}]*\} 1/);
    expect(text).toMatch(/warden_decision_duration_seconds_bucket\{verb="tool.invoke",[^}]*le="0.05"\} \d/);
    expect(text).toMatch(/warden_approvals_pending(\{[^}]*\})? 1/);
    expect(text).toMatch(/warden_breaker_open\{[^}]*upstream="bank"[^}]*\} 0/);
  });

  it('keeps the metrics from agents and anonymous callers', async () => {
    expect((await server.inject({ method: 'GET', url: '/v1/metrics' })).statusCode).toBe(401);
    expect((await server.inject({ method: 'GET', url: '/v1/metrics', headers: { authorization: finance } })).statusCode).toBe(403);
  });
});
