import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/transports/http/server.js';
import type { App } from '../src/app.js';
import { openTempApp } from './support/temp-app.js';

/**
 * Provenance and history in the Gate, on the quickstart with its real MCP servers: a recipient
 * finance-bot read in a vendor's file (the files upstream is untrusted) needs a human; one the user
 * typed does not; a fourth transfer in an hour is refused whatever its approval.
 */
let app: App;
let server: FastifyInstance;
let cleanup: () => Promise<void>;
let key: string;

beforeAll(async () => {
  ({ app, cleanup } = await openTempApp({
    quickstart: true,
    files: {
      'policies/finance-files.cedar': '@id("finance-reads-files")\npermit (principal == Agent::"finance-bot", action == Action::"tool.invoke", resource == Tool::"files.read");\n',
    },
  }));
  server = buildServer(app);
  await server.ready();
  key = (await app.agents.createKey('finance-bot')).key;
});
afterAll(async () => {
  await server.close();
  await cleanup();
});

const invoke = (tool: string, args: Record<string, unknown>, sessionId: string) =>
  server.inject({
    method: 'POST',
    url: `/v1/tools/${tool}/invoke`,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ arguments: args, sessionId }),
  });

describe('provenance in the Gate', () => {
  it('parks a transfer to an IBAN that came from an untrusted file, and allows one the user gave', async () => {
    const read = await invoke('files.read', { path: 'vendors/initech-remittance.md' }, 'task-1');
    expect(read.statusCode).toBe(200);
    expect(JSON.stringify(read.json().result)).toContain('GB33BUKB20201555555555');

    const copied = await invoke('bank.send_money', { amount: 640, to: 'GB33BUKB20201555555555', currency: 'EUR' }, 'task-1');
    expect(copied.statusCode).toBe(202);
    expect(copied.json()).toMatchObject({ decision: 'approval_required', policies: ['untrusted-recipient-needs-approval'] });

    const typed = await invoke('bank.send_money', { amount: 500, to: 'DE89370400440532013000', currency: 'EUR' }, 'task-1');
    expect(typed.statusCode).toBe(200);
  });

  it('does not carry one session’s provenance into another', async () => {
    const elsewhere = await invoke('bank.send_money', { amount: 100, to: 'GB33BUKB20201555555555', currency: 'EUR' }, 'task-2');
    expect(elsewhere.statusCode).toBe(200);
  });

  it('refuses a fourth transfer within the hour, counting every session of the agent', async () => {
    const third = await invoke('bank.send_money', { amount: 100, to: 'DE89370400440532013000', currency: 'EUR' }, 'task-3');
    expect(third.statusCode).toBe(200);
    const fourth = await invoke('bank.send_money', { amount: 100, to: 'DE89370400440532013000', currency: 'EUR' }, 'task-3');
    expect(fourth.statusCode).toBe(403);
    expect(fourth.json()).toMatchObject({ code: 'policy_denied', policies: ['at-most-three-transfers-an-hour'] });
  });
});
