import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { buildServer } from '../src/transports/http/server.js';
import type { App } from '../src/app.js';
import { quickstartApp } from './support/app.js';

const callLog = path.join(process.env.TMPDIR ?? '/tmp', `warden-e2e-calls-${process.pid}.jsonl`);
process.env.WARDEN_UPSTREAM_CALL_LOG = callLog;

let app: App;
let server: FastifyInstance;
let url: string;
let cleanup: () => Promise<void>;
const keys: Record<string, string> = {};

beforeAll(async () => {
  ({ app, cleanup } = await quickstartApp());
  server = buildServer(app);
  url = await server.listen({ host: '127.0.0.1', port: 0 });
  for (const agent of ['support-bot', 'finance-bot', 'research-bot']) keys[agent] = (await app.agents.createKey(agent)).key;
});
afterAll(async () => {
  await server.close();
  await cleanup();
});

async function mcpClient(agent: string): Promise<Client> {
  const client = new Client({ name: 'e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${keys[agent]}` } } }));
  return client;
}

const upstreamCalls = (): { server: string; tool: string; arguments: Record<string, unknown> }[] =>
  existsSync(callLog) ? readFileSync(callLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];

const invoke = (agent: string, tool: string, args: Record<string, unknown>, sessionId?: string) =>
  server.inject({
    method: 'POST',
    url: `/v1/tools/${tool}/invoke`,
    headers: { authorization: `Bearer ${keys[agent]}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ arguments: args, ...(sessionId ? { sessionId } : {}) }),
  });

describe('MCP through Warden, with the real SDK client and real upstream servers', () => {
  it('lists exactly the tools the agent policies may ever allow', async () => {
    const support = await mcpClient('support-bot');
    expect((await support.listTools()).tools.map((t) => t.name).sort()).toEqual(['bank.get_balance', 'bank.list_transactions', 'knowledge_search', 'mail.read_inbox', 'mail.send_email']);
    const research = await mcpClient('research-bot');
    expect((await research.listTools()).tools.map((t) => t.name).sort()).toEqual(['files.list', 'files.read', 'knowledge_search']);
    await support.close();
    await research.close();
  });

  it('returns the upstream result of an allowed call', async () => {
    const client = await mcpClient('support-bot');
    await client.listTools();
    const result = await client.callTool({ name: 'bank.get_balance', arguments: { account: 'ACC-1' } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ account: 'ACC-1', currency: 'EUR' });
    await client.close();
  });

  it('answers a denied call with a tool error naming why, and the upstream never sees it', async () => {
    const client = await mcpClient('support-bot');
    const before = upstreamCalls().filter((c) => c.tool === 'send_money').length;
    const result = await client.callTool({ name: 'bank.send_money', arguments: { amount: 50, to: 'DE89370400440532013000' } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/Denied: no policy permits it \(default deny\)/);
    expect(upstreamCalls().filter((c) => c.tool === 'send_money').length).toBe(before);
    await client.close();
  });

  it('answers an approval-required call with its approval id, without executing it', async () => {
    const client = await mcpClient('finance-bot');
    const before = upstreamCalls().filter((c) => c.tool === 'send_money').length;
    const result = await client.callTool({ name: 'bank.send_money', arguments: { amount: 5000, to: 'DE89370400440532013000' } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/Approval required by large-transfer-needs-approval; approval id apr_[A-Za-z0-9_-]{24}/);
    expect(upstreamCalls().filter((c) => c.tool === 'send_money').length).toBe(before);
    await client.close();
  });
});

describe('POST /v1/tools/{tool}/invoke', () => {
  it('returns the result of an allowed call and records the decision and then the execution', async () => {
    const res = await invoke('finance-bot', 'bank.send_money', { amount: 50, to: 'DE89370400440532013000' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ decision: 'allow', policies: ['payments-send-money'], result: { structuredContent: { status: 'sent', amount: 50 } } });
    await app.ledger.flush();
    const { rows } = await app.db.query<{ seq: number; body: string }>("SELECT seq, body FROM audit_ledger WHERE seq = $1 OR body LIKE $2 ORDER BY seq", [
      body.seq,
      `%"decisionSeq":${body.seq},%`,
    ]);
    expect(rows.map((r) => r.seq)[1]).toBeGreaterThan(body.seq);
    const [decision, execution] = rows.map((r) => JSON.parse(r.body).record);
    expect(decision).not.toHaveProperty('execution');
    expect(execution.execution).toMatchObject({ decisionSeq: body.seq, outcome: 'success', attempts: 1, resultDigest: expect.stringMatching(/^sha256:/) });
  });

  it('answers 403 with the decision for a denied call', async () => {
    const res = await invoke('support-bot', 'bank.send_money', { amount: 50, to: 'x' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'policy_denied', decision: 'deny' });
  });

  it('answers 202 with an approval id for an approval-required call', async () => {
    const res = await invoke('finance-bot', 'bank.send_money', { amount: 5000, to: 'DE89370400440532013000' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ decision: 'approval_required', approvalId: expect.stringMatching(/^apr_/) });
  });

  it('answers 404 for a tool that is not configured', async () => {
    const res = await invoke('finance-bot', 'bank.print_money', {});
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('unknown_resource');
  });

  it('refuses a loop: the same call with the same arguments too often, with 429 and Retry-After', async () => {
    let last;
    for (let i = 0; i < 6; i++) last = await invoke('research-bot', 'files.read', { path: 'notes/q3.md' }, 'loop-session');
    expect(last!.statusCode).toBe(429);
    expect(last!.json().code).toBe('loop_detected');
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
  });
});
