/**
 * The gateway over HTTPS with optional client certificates (`server.tls`, require_client_cert false):
 * a SPIFFE client certificate of the org's CA names the agent; anything else presented is refused;
 * without a certificate a bearer API key still works; policies see `context.transport.mtls`.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/transports/http/server.js';
import type { App } from '../src/app.js';
import { agentUri, createTestPki, type CertAndKey, type TestPki } from './support/pki.js';
import { ledgerRecord, openTempApp, type TempApp } from './support/temp-app.js';

const TLS_CONFIG = `
server:
  tls:
    cert: tls/server.pem
    key: tls/server-key.pem
    ca: tls/agents-ca.pem
    require_client_cert: false
`;

// bank.get_balance only for callers that authenticated with a client certificate.
const MTLS_POLICY = `@id("balance-needs-mtls")
@reason("balances are only for agents that authenticate with a client certificate")
forbid (principal, action == Action::"tool.invoke", resource == Tool::"bank.get_balance")
unless { context.transport.mtls };
`;

let pki: TestPki;
let t: TempApp;
let app: App;
let server: FastifyInstance;
let port: number;
let financeKey: string;

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** POST /v1/authorize over HTTPS, trusting the org CA, with an optional client certificate and bearer key. */
function authorize(payload: Record<string, unknown>, options: { client?: CertAndKey; bearer?: string } = {}): Promise<Reply> {
  const body = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/authorize',
        method: 'POST',
        ca: pki.ca,
        agent: false,
        ...(options.client ? { cert: options.client.cert, key: options.client.key } : {}),
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(options.bearer ? { authorization: `Bearer ${options.bearer}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const balance = { action: 'tool.invoke', resource: 'bank.get_balance', context: { args: { account: 'ACC-1' } } };

beforeAll(async () => {
  pki = await createTestPki();
  t = await openTempApp({
    quickstart: true,
    config: readFileSync('examples/quickstart/warden.yaml', 'utf8') + TLS_CONFIG,
    files: {
      'tls/server.pem': pki.server.cert,
      'tls/server-key.pem': pki.server.key,
      'tls/agents-ca.pem': pki.ca,
      'policies/mtls.cedar': MTLS_POLICY,
    },
  });
  app = t.app;
  server = buildServer(app);
  await server.listen({ host: '127.0.0.1', port: 0 });
  const address = server.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  financeKey = (await app.agents.createKey('finance-bot')).key;
});
afterAll(async () => {
  await server?.close();
  await t?.cleanup();
});

describe('mTLS agent identity on the HTTPS gateway', () => {
  it('decides for the agent named by a SPIFFE client certificate, with no bearer token, and records the mtls credential', async () => {
    const res = await authorize(balance, { client: await pki.agent('finance-bot') });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decision: 'allow', policies: ['balance-viewers-get-balance'] });
    const record = await ledgerRecord(app, Number(res.body.seq));
    expect(record).toMatchObject({ agentId: 'finance-bot', credential: { kind: 'mtls', id: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) } });
  });

  it('sets context.transport.mtls for certificate callers only: a policy that forbids unless it holds denies the same call with an API key', async () => {
    const viaKey = await authorize(balance, { bearer: financeKey });
    expect(viaKey.status).toBe(200);
    expect(viaKey.body).toMatchObject({ decision: 'deny', policies: ['balance-needs-mtls'] });

    // An agent cannot claim it in the context it supplies.
    const claimed = await authorize({ ...balance, context: { ...balance.context, transport: { mtls: true } } }, { bearer: financeKey });
    expect(claimed.body).toMatchObject({ decision: 'deny', policies: ['balance-needs-mtls'] });

    const viaCert = await authorize(balance, { client: await pki.agent('finance-bot') });
    expect(viaCert.body).toMatchObject({ decision: 'allow' });
  });

  it('still accepts a bearer API key from a caller without a client certificate', async () => {
    const res = await authorize({ action: 'tool.invoke', resource: 'bank.send_money', context: { args: { amount: 50, to: 'DE89370400440532013000' } } }, { bearer: financeKey });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decision: 'allow', policies: ['payments-send-money'] });
  });

  it('refuses an anonymous caller (no certificate, no bearer) with 401', async () => {
    const res = await authorize(balance);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthenticated');
  });

  it('refuses an expired client certificate with 401, even with a valid bearer key beside it', async () => {
    const res = await authorize(balance, { client: pki.expiredAgent });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'unauthenticated', message: expect.stringMatching(/CERT_HAS_EXPIRED/) });
    const withKey = await authorize(balance, { client: pki.expiredAgent, bearer: financeKey });
    expect(withKey.status).toBe(401);
  });

  it('refuses a client certificate from an unknown CA with 401', async () => {
    const res = await authorize(balance, { client: pki.foreign.agent });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'unauthenticated', message: expect.stringMatching(/not accepted/) });
  });

  it("refuses a certificate of the org's CA that names an agent of another org with 401", async () => {
    const otherOrg = await pki.authority.issue({ cn: 'finance-bot', uris: [agentUri('finance-bot', 'globex')] });
    const res = await authorize(balance, { client: otherOrg });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'unauthenticated', message: expect.stringMatching(/wrong_org/) });
  });

  it('refuses a certificate with no SPIFFE id with 401', async () => {
    const noId = await pki.authority.issue({ cn: 'finance-bot', dns: ['finance-bot.acme.example'] });
    const res = await authorize(balance, { client: noId });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthenticated');
  });

  it('does not let a certificate caller act for another agent', async () => {
    const res = await authorize({ ...balance, agent: 'support-bot' }, { client: await pki.agent('finance-bot') });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('forbidden');
  });
});
