import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { notifierFromConfig, signatureOf, webhookNotifier } from './webhook.js';
import type { ApprovalEvent } from './approvals.js';

const SECRET = 'whsec-test-1234';

const event: ApprovalEvent = {
  type: 'approval.requested',
  approval: {
    id: 'apr_abcdefghijklmnopqrstuvwx',
    agentId: 'finance-bot',
    verb: 'tool.invoke',
    resource: 'bank.send_money',
    actionDigest: 'sha256:aa',
    policyVersion: 'v1',
    policies: ['large-transfer-needs-approval'],
    requiredApprovals: 2,
    approvals: 0,
    status: 'pending',
    createdAt: '2026-01-01T10:00:00.000Z',
    expiresAt: '2026-01-01T11:00:00.000Z',
    votes: [],
  },
};

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A receiver on a free local port; `handle` answers each request with its raw body. */
async function receiver(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<string> {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/hooks/warden`;
}

/** What a receiver does: recompute the HMAC over the exact bytes and compare in constant time. */
function verifies(body: string, header: string | undefined, secret: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('approval webhook', () => {
  it('POSTs the event as JSON with an HMAC-SHA256 signature the receiver can verify', async () => {
    const received: { method?: string; path?: string; type?: string; body: unknown; valid: boolean; forged: boolean }[] = [];
    const url = await receiver((req, body, res) => {
      const signature = req.headers['x-warden-signature'] as string | undefined;
      received.push({
        method: req.method,
        path: req.url,
        type: req.headers['content-type'],
        body: JSON.parse(body),
        valid: verifies(body, signature, SECRET),
        forged: verifies(body, signature, 'another-secret'),
      });
      res.writeHead(204).end();
    });
    await webhookNotifier({ url, secret: SECRET })(event);
    expect(received).toEqual([{ method: 'POST', path: '/hooks/warden', type: 'application/json', body: { type: 'approval.requested', approval: event.approval }, valid: true, forged: false }]);
  });

  it('signs the exact body bytes', () => {
    const body = JSON.stringify({ type: event.type, approval: event.approval });
    expect(signatureOf(body, SECRET)).toBe(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
    expect(signatureOf(`${body} `, SECRET)).not.toBe(signatureOf(body, SECRET));
  });

  it('rejects when the receiver answers with an error status', async () => {
    const url = await receiver((_req, _body, res) => res.writeHead(500).end('no'));
    await expect(webhookNotifier({ url, secret: SECRET })(event)).rejects.toThrow(/answered 500/);
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    const url = await receiver(() => {
      // Never answers.
    });
    const started = Date.now();
    await expect(webhookNotifier({ url, secret: SECRET, timeoutMs: 200 })(event)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('takes its secret from the named environment variable, and refuses a configuration without it', () => {
    expect(notifierFromConfig({ ttl_seconds: 3600 })).toBeUndefined();
    const webhook = { url: 'https://hooks.example/warden', secret_env: 'WARDEN_TEST_WEBHOOK_SECRET' };
    expect(typeof notifierFromConfig({ ttl_seconds: 3600, webhook }, { WARDEN_TEST_WEBHOOK_SECRET: 's3cret' })).toBe('function');
    expect(() => notifierFromConfig({ ttl_seconds: 3600, webhook }, {})).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });
});
