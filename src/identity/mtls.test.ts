import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import fc from 'fast-check';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentUri, createTestPki, type CertAndKey, type TestPki } from '../../test/support/pki.js';
import { agentFromPeerCertificate, agentFromTlsSocket, mtlsAgent, parseSubjectAltName, spiffeAgentId, tlsClientOptions, tlsServerOptions } from './mtls.js';

const ORG = 'acme';

let pki: TestPki;
const servers: https.Server[] = [];

beforeAll(async () => {
  pki = await createTestPki();
});

afterAll(async () => {
  await Promise.all(
    servers.map((s) => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(resolve));
    }),
  );
});

/** An https server whose handler authenticates the agent from the TLS connection. */
async function agentServer(requireClientCert: boolean): Promise<number> {
  const server = https.createServer(tlsServerOptions({ ...pki.server, ca: pki.ca, requireClientCert }), (req, res) => {
    const socket = req.socket as TLSSocket;
    // The same steps as agentFromTlsSocket, spelled out: presented, authorized, then the SPIFFE id.
    const cert = socket.getPeerCertificate();
    let result: ReturnType<typeof agentFromTlsSocket>;
    if (Object.keys(cert).length === 0) result = { error: 'no_certificate' };
    else if (!socket.authorized) result = { error: 'untrusted_certificate', reason: String(socket.authorizationError) };
    else result = agentFromPeerCertificate(cert, ORG);
    expect(agentFromTlsSocket(socket, ORG)).toEqual(result);
    res.writeHead('agentId' in result ? 200 : result.error === 'no_certificate' || result.error === 'untrusted_certificate' ? 401 : 403, {
      'content-type': 'application/json',
    });
    res.end(JSON.stringify(result));
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

function get(port: number, tls: ReturnType<typeof tlsClientOptions>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: '/', method: 'GET', agent: false, ...tls }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (data += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) as Record<string, unknown> }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const as = (client?: CertAndKey) => tlsClientOptions({ ca: pki.ca, ...client });

describe('spiffeAgentId', () => {
  const idArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,62}$/);
  const orgArb = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,30}$/);

  it('round-trips every valid agent id', () => {
    fc.assert(fc.property(orgArb, idArb, (org, id) => spiffeAgentId(agentUri(id, org), org) === id));
  });

  it('never returns an id for a URI of another org', () => {
    fc.assert(
      fc.property(orgArb, orgArb, idArb, (org, other, id) => {
        fc.pre(org !== other);
        expect(spiffeAgentId(agentUri(id, other), org)).toBeUndefined();
      }),
    );
  });

  it('never returns an id for an arbitrary string unless it is exactly the agent URI of the org', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const id = spiffeAgentId(s, ORG);
        if (id !== undefined) expect(s).toBe(agentUri(id, ORG));
      }),
    );
  });

  it.each([
    'spiffe://acme/agent/',
    'spiffe://acme/agent/-bot',
    'spiffe://acme/agent/a/b',
    'spiffe://acme/agent/a?x=1',
    'spiffe://acme/agent/a#f',
    'spiffe://acme/agent/a%2Fb',
    'spiffe://acme/service/a',
    'spiffe://ACME/agent/a',
    'spiffe://acme.evil/agent/a',
    'spiffe://evil/acme/agent/a',
    'SPIFFE://acme/agent/a',
    'https://acme/agent/a',
    ` spiffe://acme/agent/a`,
    'spiffe://acme/agent/a\n',
  ])('refuses %j', (uri) => {
    expect(spiffeAgentId(uri, ORG)).toBeUndefined();
  });
});

describe('agentFromPeerCertificate', () => {
  const cert = (subjectaltname?: string) => ({ raw: Buffer.from('x'), fingerprint256: 'AA:BB', subjectaltname }) as unknown as PeerCertificate;

  it('reads the one agent SPIFFE id among other names', () => {
    expect(agentFromPeerCertificate(cert('DNS:x, URI:spiffe://acme/agent/support-bot, IP Address:10.0.0.1'), ORG)).toEqual({
      agentId: 'support-bot',
      fingerprint: 'AA:BB',
    });
  });

  it.each([
    [{} as PeerCertificate, 'no_certificate'],
    [cert(undefined), 'no_spiffe_id'],
    [cert('DNS:localhost, URI:https://acme/agent/x'), 'no_spiffe_id'],
    [cert('URI:spiffe://acme/service/x'), 'no_spiffe_id'],
    [cert('URI:spiffe://other/agent/x'), 'wrong_org'],
    [cert('URI:spiffe://acme/agent/a, URI:spiffe://acme/agent/b'), 'several_agent_ids'],
    [cert('URI:spiffe://acme/agent/a, URI:spiffe://other/agent/b'), 'several_agent_ids'],
    // Node JSON-quotes SAN values with commas: no smuggling a second entry in one value.
    [cert('URI:"spiffe://other/agent/x, URI:spiffe://acme/agent/a"'), 'wrong_org'],
  ])('%j → %s', (c, error) => {
    expect(agentFromPeerCertificate(c, ORG)).toEqual({ error });
  });

  it('parses quoted SAN values', () => {
    expect(parseSubjectAltName('DNS:a, URI:"x, y\\"z", IP Address:1.2.3.4')).toEqual([
      { type: 'DNS', value: 'a' },
      { type: 'URI', value: 'x, y"z' },
      { type: 'IP Address', value: '1.2.3.4' },
    ]);
  });
});

describe('mTLS end to end (require_client_cert: true)', () => {
  let port: number;
  beforeAll(async () => {
    port = await agentServer(true);
  });

  it('a valid certificate yields the agent id and its fingerprint', async () => {
    const reply = await get(port, as(await pki.agent('support-bot')));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ agentId: 'support-bot', fingerprint: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) });
  });

  // Refused in the handshake. Only a missing certificate gets a TLS alert (TLS 1.3: certificate_required);
  // for an untrusted chain or an expired certificate Node verifies after the handshake and just destroys
  // the socket, so the client sees a bare ECONNRESET (EPIPE if it was still writing) and neither side
  // learns the reason (the server's tlsClientError is ECONNRESET too).
  it('refuses a connection without a certificate', async () => {
    await expect(get(port, as())).rejects.toMatchObject({ code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
  });

  it('refuses a certificate from an unknown CA', async () => {
    await expect(get(port, as(pki.foreign.agent))).rejects.toMatchObject({ code: expect.stringMatching(/^(ECONNRESET|EPIPE)$/) });
  });

  it('refuses an expired certificate', async () => {
    await expect(get(port, as(pki.expiredAgent))).rejects.toMatchObject({ code: expect.stringMatching(/^(ECONNRESET|EPIPE)$/) });
  });

  it('refuses a trusted certificate for another org', async () => {
    const reply = await get(port, as(await pki.authority.issue({ uris: [agentUri('support-bot', 'globex')] })));
    expect(reply).toEqual({ status: 403, body: { error: 'wrong_org' } });
  });

  it('refuses a trusted certificate without a SPIFFE URI', async () => {
    const reply = await get(port, as(await pki.authority.issue({ dns: ['support-bot.acme.internal'] })));
    expect(reply).toEqual({ status: 403, body: { error: 'no_spiffe_id' } });
  });

  it('refuses a trusted certificate with several SPIFFE URIs', async () => {
    const reply = await get(port, as(await pki.authority.issue({ uris: [agentUri('a'), agentUri('b')] })));
    expect(reply).toEqual({ status: 403, body: { error: 'several_agent_ids' } });
  });
});

describe('mTLS end to end (require_client_cert: false)', () => {
  let port: number;
  beforeAll(async () => {
    port = await agentServer(false);
  });

  it('a valid certificate yields the agent id', async () => {
    const reply = await get(port, as(await pki.agent('support-bot')));
    expect(reply).toMatchObject({ status: 200, body: { agentId: 'support-bot' } });
  });

  it('no certificate: the connection is accepted but names no agent', async () => {
    expect(await get(port, as())).toEqual({ status: 401, body: { error: 'no_certificate' } });
  });

  it('a certificate from an unknown CA is untrusted', async () => {
    expect(await get(port, as(pki.foreign.agent))).toEqual({
      status: 401,
      body: { error: 'untrusted_certificate', reason: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    });
  });

  it('an expired certificate is untrusted', async () => {
    expect(await get(port, as(pki.expiredAgent))).toEqual({ status: 401, body: { error: 'untrusted_certificate', reason: 'CERT_HAS_EXPIRED' } });
  });
});

describe('mtlsAgent (Fastify)', () => {
  it('authenticates the agent of the request connection', async () => {
    const app = Fastify({ https: tlsServerOptions({ ...pki.server, ca: pki.ca, requireClientCert: false }) });
    app.get('/whoami', async (request, reply) => {
      const result = mtlsAgent(request, ORG);
      return reply.code('agentId' in result ? 200 : 401).send(result);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const port = (app.server.address() as AddressInfo).port;
      const path = '/whoami';
      const call = (client?: CertAndKey) =>
        new Promise<Reply>((resolve, reject) => {
          https
            .get({ host: '127.0.0.1', port, path, agent: false, ...as(client) }, (res) => {
              let data = '';
              res.on('data', (c: Buffer) => (data += c.toString()));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) as Record<string, unknown> }));
            })
            .on('error', reject);
        });
      expect(await call(await pki.agent('billing-bot'))).toMatchObject({ status: 200, body: { agentId: 'billing-bot' } });
      expect(await call(pki.expiredAgent)).toEqual({ status: 401, body: { error: 'untrusted_certificate', reason: 'CERT_HAS_EXPIRED' } });
      expect(await call()).toEqual({ status: 401, body: { error: 'no_certificate' } });
    } finally {
      await app.close();
    }
  });
});

describe('tlsClientOptions (Warden as the client of an upstream)', () => {
  async function upstream(server: CertAndKey): Promise<number> {
    const s = https.createServer(tlsServerOptions({ ...server, ca: pki.ca, requireClientCert: true }), (req, res) => {
      const result = agentFromTlsSocket(req.socket as TLSSocket, ORG);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
    });
    servers.push(s);
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
    return (s.address() as AddressInfo).port;
  }

  it('presents the client certificate to an upstream that requires one', async () => {
    const port = await upstream(pki.server);
    const warden = await pki.agent('warden-gateway');
    const reply = await get(port, tlsClientOptions({ ca: pki.ca, cert: warden.cert, key: warden.key, servername: 'localhost' }));
    expect(reply).toMatchObject({ status: 200, body: { agentId: 'warden-gateway' } });
    // An IP as servername is verified against the IP SAN without being sent as SNI.
    const byIp = await get(port, tlsClientOptions({ ca: pki.ca, cert: warden.cert, key: warden.key, servername: '127.0.0.1' }));
    expect(byIp.status).toBe(200);
  });

  it('refuses an upstream whose certificate is signed by an unknown CA', async () => {
    const port = await upstream(pki.foreign.server);
    const warden = await pki.agent('warden-gateway');
    await expect(get(port, tlsClientOptions({ ca: pki.ca, cert: warden.cert, key: warden.key }))).rejects.toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
  });

  it('refuses an upstream whose certificate names another host', async () => {
    const port = await upstream(pki.server);
    const warden = await pki.agent('warden-gateway');
    await expect(get(port, tlsClientOptions({ ca: pki.ca, ...warden, servername: 'upstream.example' }))).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  it('a certificate without its key is a configuration error', () => {
    expect(() => tlsClientOptions({ cert: pki.server.cert })).toThrow(/cert and key/);
  });
});
