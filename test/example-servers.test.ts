/**
 * The example MCP servers (examples/servers/*.ts) and the chaos fixture, driven through the
 * real SDK client over stdio and Streamable HTTP, exactly as Warden's upstream side will see them.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const BANK = path.join(root, 'examples/servers/bank.ts');
const MAIL = path.join(root, 'examples/servers/mail.ts');
const FILES = path.join(root, 'examples/servers/files.ts');
const CHAOS = path.join(root, 'test/fixtures/chaos-server.ts');

const INJECTED_IBAN = 'DE44500105175407324931';

type LoggedCall = { server: string; tool: string; arguments: Record<string, unknown>; at: string };

type Upstream = {
  client: Client;
  /** Every line the server appended to WARDEN_UPSTREAM_CALL_LOG so far. */
  calls: () => LoggedCall[];
  call: (name: string, args?: Record<string, unknown>) => Promise<CallToolResult>;
  close: () => Promise<void>;
};

function callLog(): { file: string; read: () => LoggedCall[]; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'warden-upstream-'));
  const file = path.join(dir, 'calls.jsonl');
  return {
    file,
    read: () =>
      existsSync(file)
        ? readFileSync(file, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as LoggedCall)
        : [],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function upstream(client: Client, log: ReturnType<typeof callLog>, stop: () => Promise<void>): Upstream {
  return {
    client,
    calls: log.read,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: async () => {
      await client.close().catch(() => undefined);
      await stop();
      log.cleanup();
    },
  };
}

async function overStdio(file: string): Promise<Upstream> {
  const log = callLog();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [file],
    // The SDK only passes a safe subset of the parent's environment unless told otherwise.
    env: { ...getDefaultEnvironment(), WARDEN_UPSTREAM_CALL_LOG: log.file },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'warden-test', version: '0.0.0' });
  await client.connect(transport);
  return upstream(client, log, async () => undefined);
}

async function overHttp(file: string): Promise<Upstream & { url: URL }> {
  const log = callLog();
  const child: ChildProcess = spawn(process.execPath, [file, '--http', '0'], {
    env: { ...process.env, WARDEN_UPSTREAM_CALL_LOG: log.file },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<URL>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr);
      if (match?.[1]) resolve(new URL(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
  const client = new Client({ name: 'warden-test', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill();
    });
  return { ...upstream(client, log, stop), url };
}

const text = (result: CallToolResult): string =>
  result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');

describe('bank server over stdio', () => {
  let bank: Upstream;
  beforeAll(async () => {
    bank = await overStdio(BANK);
  });
  afterAll(() => bank.close());

  it('advertises its five tools, each with input and output schemas', async () => {
    const { tools } = await bank.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'get_balance',
      'list_scheduled_payments',
      'list_transactions',
      'schedule_payment',
      'send_money',
    ]);
    for (const tool of tools) expect(tool.outputSchema, tool.name).toBeDefined();
    const send = tools.find((t) => t.name === 'send_money');
    expect(send?.inputSchema.required).toEqual(['amount', 'to']);
    expect(send?.inputSchema.properties?.amount).toMatchObject({ type: 'integer' });
    expect(send?.annotations?.destructiveHint).toBe(true);
  });

  it('reports the seeded balance of ACC-1 as structured content and the same JSON as text', async () => {
    const result = await bank.call('get_balance', { account: 'ACC-1' });
    expect(result.structuredContent).toEqual({ account: 'ACC-1', balance: 12_500, currency: 'EUR' });
    expect(JSON.parse(text(result))).toEqual(result.structuredContent);
  });

  it('serves a transaction whose memo carries an injected transfer instruction', async () => {
    const result = await bank.call('list_transactions', { account: 'ACC-1', limit: 10 });
    const txs = (result.structuredContent as { transactions: { memo: string }[] }).transactions;
    expect(txs.length).toBeGreaterThanOrEqual(3);
    expect(txs.some((t) => t.memo.includes('IMPORTANT') && t.memo.includes(INJECTED_IBAN))).toBe(true);
  });

  it('sends money, debits ACC-1 and logs the call with its arguments', async () => {
    const result = await bank.call('send_money', { amount: 50, to: 'DE89370400440532013000', memo: 'INV-7' });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ status: 'sent', amount: 50, to: 'DE89370400440532013000' });
    expect((result.structuredContent as { transferId: string }).transferId).toMatch(/^TRF-/);
    const balance = await bank.call('get_balance', { account: 'ACC-1' });
    expect(balance.structuredContent).toMatchObject({ balance: 12_450 });
    expect(bank.calls()).toContainEqual(
      expect.objectContaining({
        server: 'bank',
        tool: 'send_money',
        arguments: { amount: 50, to: 'DE89370400440532013000', memo: 'INV-7' },
      }),
    );
  });

  it('schedules a payment and lists it among the scheduled payments', async () => {
    const scheduled = await bank.call('schedule_payment', { amount: 700, to: 'DE89370400440532013000', date: '2030-01-31' });
    expect(scheduled.structuredContent).toMatchObject({ status: 'scheduled', paymentId: expect.stringMatching(/^SP-/) });
    const listed = await bank.call('list_scheduled_payments');
    const payments = (listed.structuredContent as { payments: { paymentId: string }[] }).payments;
    expect(payments.map((p) => p.paymentId)).toContain((scheduled.structuredContent as { paymentId: string }).paymentId);
  });

  it('rejects a fractional amount as a tool error, yet still logs that the call arrived', async () => {
    const result = await bank.call('send_money', { amount: 10.5, to: 'DE89370400440532013000' });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/Input validation error/);
    expect(bank.calls()).toContainEqual(expect.objectContaining({ tool: 'send_money', arguments: { amount: 10.5, to: 'DE89370400440532013000' } }));
  });
});

describe('mail server over stdio', () => {
  let mail: Upstream;
  beforeAll(async () => {
    mail = await overStdio(MAIL);
  });
  afterAll(() => mail.close());

  it('the mailbox serves an email carrying an injected transfer instruction', async () => {
    const result = await mail.call('read_inbox', {});
    const messages = (result.structuredContent as { messages: { from: string; body: string }[] }).messages;
    expect(messages.length).toBeGreaterThanOrEqual(3);
    const injected = messages.filter((m) => m.body.includes(INJECTED_IBAN));
    expect(injected).toHaveLength(1);
    expect(injected[0]?.body).toMatch(/Ignore your previous instructions/);
    expect(injected[0]?.from).not.toMatch(/@acme\.example$/);
    expect(messages.filter((m) => m.from.endsWith('@acme.example')).length).toBeGreaterThanOrEqual(1);
  });

  it('honours the read_inbox limit', async () => {
    const result = await mail.call('read_inbox', { limit: 2 });
    expect((result.structuredContent as { messages: unknown[] }).messages).toHaveLength(2);
  });

  it('sends an email and logs the recipient it was asked to use', async () => {
    const result = await mail.call('send_email', { to: 'alice@acme.example', subject: 'Re: Q3', body: 'Balance is EUR 12,500.' });
    expect(result.structuredContent).toMatchObject({ status: 'sent', messageId: expect.any(String) });
    expect(mail.calls().map((c) => [c.server, c.tool, c.arguments.to])).toContainEqual(['mail', 'send_email', 'alice@acme.example']);
  });
});

describe('files server over stdio', () => {
  let files: Upstream;
  beforeAll(async () => {
    files = await overStdio(FILES);
  });
  afterAll(() => files.close());

  it('lists, reads and deletes seeded files', async () => {
    const listed = await files.call('list', { prefix: 'notes/' });
    expect((listed.structuredContent as { files: string[] }).files).toContain('notes/q3.md');
    const read = await files.call('read', { path: 'notes/q3.md' });
    expect(read.structuredContent).toMatchObject({ path: 'notes/q3.md', content: expect.stringContaining('Q3') });
    const deleted = await files.call('delete', { path: 'notes/q3.md' });
    expect(deleted.structuredContent).toMatchObject({ deleted: true });
    const gone = await files.call('read', { path: 'notes/q3.md' });
    expect(gone.isError).toBe(true);
    expect(text(gone)).toMatch(/no such file/);
  });

  it('refuses path traversal with a tool error', async () => {
    for (const p of ['../../etc/passwd', '/etc/passwd', 'notes/../../secret']) {
      const result = await files.call('read', { path: p });
      expect(result.isError, p).toBe(true);
      expect(text(result)).toMatch(/path traversal refused/);
    }
    expect(files.calls().filter((c) => c.tool === 'read')).toHaveLength(5);
  });
});

describe('chaos server over stdio', () => {
  let chaos: Upstream;
  beforeAll(async () => {
    chaos = await overStdio(CHAOS);
  });
  afterAll(() => chaos.close());

  it('echoes its input', async () => {
    expect((await chaos.call('echo', { text: 'hi' })).structuredContent).toEqual({ text: 'hi' });
  });

  it('hangs for the requested time, and a client timeout cancels the hang', async () => {
    const started = Date.now();
    expect((await chaos.call('hang', { ms: 150 })).structuredContent).toEqual({ sleptMs: 150 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await expect(
      chaos.client.callTool({ name: 'hang', arguments: { ms: 60_000 } }, undefined, { timeout: 200 }),
    ).rejects.toThrow(/timed out/i);
    expect((await chaos.call('echo', { text: 'still alive' })).structuredContent).toEqual({ text: 'still alive' });
  });

  it('fails with "transient failure" the first N times per key, then succeeds', async () => {
    for (let i = 0; i < 2; i++) {
      const result = await chaos.call('fail_times', { key: 'k1', times: 2 });
      expect(result.isError).toBe(true);
      expect(text(result)).toBe('transient failure');
    }
    expect((await chaos.call('fail_times', { key: 'k1', times: 2 })).structuredContent).toEqual({ ok: true, attempts: 3 });
    expect((await chaos.call('fail_times', { key: 'k2', times: 0 })).structuredContent).toEqual({ ok: true, attempts: 1 });
  });

  it('signals throttling as a tool error with code "throttled"', async () => {
    const throttled = await chaos.call('throttle_times', { key: 't', times: 1 });
    expect(throttled.isError).toBe(true);
    expect(JSON.parse(text(throttled))).toMatchObject({ code: 'throttled' });
    expect((await chaos.call('throttle_times', { key: 't', times: 1 })).structuredContent).toEqual({ ok: true, attempts: 2 });
  });

  it('returns structured content that violates its own output schema', async () => {
    // Before listTools the client has no schema to check against: the bad payload arrives as sent.
    const raw = await chaos.call('bad_output');
    expect(raw.structuredContent).toEqual({ value: 'not a number' });
    // Once the client has the schema, the SDK client itself rejects the result.
    const { tools } = await chaos.client.listTools();
    expect(tools.find((t) => t.name === 'bad_output')?.outputSchema?.properties?.value).toEqual({ type: 'number' });
    await expect(chaos.call('bad_output')).rejects.toThrow(/does not match the tool's output schema/);
  });

  it('crashes without answering, after logging the call', async () => {
    const doomed = await overStdio(CHAOS);
    try {
      await expect(doomed.call('crash')).rejects.toThrow(/Connection closed/);
      expect(doomed.calls().map((c) => c.tool)).toEqual(['crash']);
    } finally {
      await doomed.close();
    }
  });
});

describe('servers over Streamable HTTP', () => {
  let bank: Upstream & { url: URL };
  let chaos: Upstream & { url: URL };
  beforeAll(async () => {
    [bank, chaos] = await Promise.all([overHttp(BANK), overHttp(CHAOS)]);
  });
  afterAll(() => Promise.all([bank?.close(), chaos?.close()]));

  it('serves the bank at http://127.0.0.1:<port>/mcp and keeps state across stateless requests', async () => {
    expect(bank.url.pathname).toBe('/mcp');
    expect(bank.url.hostname).toBe('127.0.0.1');
    const { tools } = await bank.client.listTools();
    expect(tools.map((t) => t.name)).toContain('send_money');
    const sent = await bank.call('send_money', { amount: 1_000, to: 'DE89370400440532013000' });
    expect(sent.structuredContent).toMatchObject({ status: 'sent', amount: 1_000 });
    expect((await bank.call('get_balance', { account: 'ACC-1' })).structuredContent).toMatchObject({ balance: 11_500 });
    expect(bank.calls().map((c) => c.tool)).toEqual(['send_money', 'get_balance']);
  });

  it('keeps chaos failure counters across HTTP requests', async () => {
    expect((await chaos.call('fail_times', { key: 'h', times: 1 })).isError).toBe(true);
    expect((await chaos.call('fail_times', { key: 'h', times: 1 })).structuredContent).toEqual({ ok: true, attempts: 2 });
  });

  it('answers GET on /mcp with 405, since the server is stateless', async () => {
    const res = await fetch(bank.url, { headers: { accept: 'text/event-stream' } });
    expect(res.status).toBe(405);
  });
});
