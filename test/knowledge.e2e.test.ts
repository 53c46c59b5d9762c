import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/transports/http/server.js';
import type { App } from '../src/app.js';
import { KeyHierarchy } from '../src/crypto/key-hierarchy.js';
import { decryptWith } from '../src/crypto/envelope.js';
import { documentScope } from '../src/crypto/scopes.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { executionRecord, openTempApp } from './support/temp-app.js';

/**
 * Knowledge bases end to end on the quickstart: the handbook is ingested on open (each chunk under
 * its document's key), and retrieval goes through the Gate, row-level security, decryption, the
 * content guard and the ledger.
 */
let app: App;
let server: FastifyInstance;
let cleanup: () => Promise<void>;
const keys: Record<string, string> = {};

beforeAll(async () => {
  ({ app, cleanup } = await openTempApp({ quickstart: true, seedKnowledge: true }));
  server = buildServer(app);
  await server.ready();
  for (const agent of ['support-bot', 'finance-bot']) keys[agent] = (await app.agents.createKey(agent)).key;
}, 60_000);
afterAll(async () => {
  await server.close();
  await cleanup();
});

const retrieve = (agent: string, body: Record<string, unknown>, kb = 'handbook') =>
  server.inject({
    method: 'POST',
    url: `/v1/kb/${kb}/retrieve`,
    headers: { authorization: `Bearer ${keys[agent]}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

interface Chunk {
  source: string;
  sensitivity: string;
  text: string;
  labels: string[];
  withheld?: boolean;
}

describe('retrieval through the Gate', () => {
  it('shows support-bot no confidential chunk when it asks for salary bands', async () => {
    const res = await retrieve('support-bot', { query: 'salary bands', top_k: 10 });
    expect(res.statusCode).toBe(200);
    const chunks = res.json().chunks as Chunk[];
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.every((c) => c.sensitivity !== 'confidential')).toBe(true);
    expect(chunks.map((c) => c.source)).not.toContain('salary-bands.md');
    expect(res.json().policies).toEqual(['staff-search-handbook']);
  });

  it('gives finance-bot the salary bands first, decrypted, with their provenance', async () => {
    const res = await retrieve('finance-bot', { query: 'salary bands for engineers', top_k: 5 });
    expect(res.statusCode).toBe(200);
    const [first] = res.json().chunks as Chunk[];
    expect(first!.source).toBe('salary-bands.md');
    expect(first!.sensitivity).toBe('confidential');
    expect(first!.text).toMatch(/Engineer II: 61,000 to 74,000 EUR/);
    expect(first!.labels).toEqual(['kb:handbook', 'source:handbook/salary-bands.md', 'sensitivity:confidential']);
  });

  it('withholds the chunk that carries an injected instruction and returns the others', async () => {
    const res = await retrieve('support-bot', { query: 'vendor bank details payment', top_k: 10 });
    expect(res.statusCode).toBe(200);
    const chunks = res.json().chunks as Chunk[];
    const injected = chunks.filter((c) => c.source === 'vendor-faq.md' && c.withheld);
    expect(injected.length).toBeGreaterThan(0);
    expect(JSON.stringify(chunks)).not.toMatch(/DE89370400440532013000/);
    expect(chunks.some((c) => !c.withheld)).toBe(true);
    const record = await executionRecord(app, res.json().seq);
    expect(record.execution).toMatchObject({ outcome: 'success', guard: { treatment: 'withheld' } });
  });

  it('refuses a knowledge base that is not configured, and records it', async () => {
    const res = await retrieve('support-bot', { query: 'anything' }, 'payroll');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'unknown_resource' });
    expect(res.json().seq).toBeGreaterThan(0);
  });

  it('answers a request without a query, or with a top_k out of range, with 400', async () => {
    expect((await retrieve('support-bot', { top_k: 3 })).statusCode).toBe(400);
    expect((await retrieve('support-bot', { query: 'x', top_k: 500 })).statusCode).toBe(400);
    expect((await retrieve('support-bot', { query: 'x', extra: true })).statusCode).toBe(400);
  });
});

describe('knowledge_search over MCP', () => {
  it('offers knowledge_search beside the tools and answers it under the same row-level security', async () => {
    const url = await server.listen({ host: '127.0.0.1', port: 0 });
    const client = new Client({ name: 'kb-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${keys['support-bot']}` } } }));
    try {
      const { tools } = await client.listTools();
      const search = tools.find((t) => t.name === 'knowledge_search');
      expect(search?.inputSchema.properties).toMatchObject({ kb: { enum: ['handbook'] } });
      const result = await client.callTool({ name: 'knowledge_search', arguments: { kb: 'handbook', query: 'salary bands', top_k: 10 } });
      expect(result.isError).toBeFalsy();
      const chunks = (result.structuredContent as { chunks: { sensitivity: string }[] }).chunks;
      expect(chunks.length).toBe((result.content as unknown[]).length);
      expect(chunks.some((c) => c.sensitivity === 'confidential')).toBe(false);
      const refused = await client.callTool({ name: 'knowledge_search', arguments: { kb: 'payroll', query: 'x' } });
      expect(refused.isError).toBe(true);
      expect(JSON.stringify(refused.content)).toMatch(/unknown_resource/);
    } finally {
      await client.close();
    }
  });
});

describe('what the database holds', () => {
  it('stores no chunk text, heading or word in clear', async () => {
    const { rows } = await app.db.query<{ ciphertext: Uint8Array; lexemes: string }>('SELECT ciphertext, lexemes::text AS lexemes FROM kb_chunks');
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      expect(Buffer.from(row.ciphertext).toString('latin1')).not.toMatch(/Salary|Engineer|Refunds|Vendors/);
      expect(row.lexemes).not.toMatch(/salary|engineer|refund|vendor/);
    }
  });

  it('can never decrypt a deleted document again: its key is destroyed', async () => {
    const { rows } = await app.db.query<{ id: string; document_id: string; ciphertext: Uint8Array }>(
      "SELECT c.id, c.document_id, c.ciphertext FROM kb_chunks c JOIN kb_documents d ON d.id = c.document_id WHERE d.source = 'welcome.md' LIMIT 1",
    );
    const copy = rows[0]!;
    const context = { tenant: 'acme', kb: 'handbook', document: copy.document_id, chunk: copy.id };
    const before = await app.keys.key(documentScope('acme', 'handbook', copy.document_id));
    expect((await decryptWith(before.keyring(), Buffer.from(copy.ciphertext), context)).toString()).toMatch(/Acme/);

    expect(await app.knowledge.deleteDocument('handbook', 'welcome.md')).toBe(true);
    const fresh = new KeyHierarchy(app.db, app.keyManager.masterKeys);
    const after = await fresh.key(documentScope('acme', 'handbook', copy.document_id));
    await expect(decryptWith(after.keyring(), Buffer.from(copy.ciphertext), context)).rejects.toThrow();
    const res = await retrieve('support-bot', { query: 'office hours welcome', top_k: 10 });
    expect((res.json().chunks as Chunk[]).map((c) => c.source)).not.toContain('welcome.md');
  });
});

describe('agent memory', () => {
  const memory = (agent: string, method: 'GET' | 'PUT', name: string, value?: string) =>
    server.inject({
      method,
      url: `/v1/memory/${name}`,
      headers: { authorization: `Bearer ${keys[agent]}`, ...(value !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(value !== undefined ? { payload: JSON.stringify({ value }) } : {}),
    });

  it('stores a value encrypted and gives it back only to the agent that wrote it', async () => {
    expect((await memory('support-bot', 'PUT', 'customer-42', 'prefers email; IBAN on file')).statusCode).toBe(200);
    const read = await memory('support-bot', 'GET', 'customer-42');
    expect(read.json()).toMatchObject({ name: 'customer-42', value: 'prefers email; IBAN on file' });
    expect((await memory('finance-bot', 'GET', 'customer-42')).statusCode).toBe(404);
    const { rows } = await app.db.query<{ ciphertext: Uint8Array }>("SELECT ciphertext FROM agent_memory WHERE name = 'customer-42'");
    expect(Buffer.from(rows[0]!.ciphertext).toString('latin1')).not.toMatch(/prefers email/);
  });

  it('refuses a value over the limit, a missing value and a bad name, storing nothing', async () => {
    expect((await memory('support-bot', 'PUT', 'big', 'x'.repeat(65_537))).statusCode).toBe(400);
    const missing = await server.inject({ method: 'PUT', url: '/v1/memory/empty', headers: { authorization: `Bearer ${keys['support-bot']}`, 'content-type': 'application/json' }, payload: '{}' });
    expect(missing.statusCode).toBe(400);
    const badName = await memory('support-bot', 'PUT', '..%2Fetc', 'x');
    expect(badName.statusCode).toBe(400);
    expect(badName.json()).toMatchObject({ code: 'invalid_request' });
    const { rows } = await app.db.query("SELECT name FROM agent_memory WHERE name IN ('big', 'empty', '../etc')");
    expect(rows).toEqual([]);
  });

  it('answers a memory that does not exist with 404 memory_not_found', async () => {
    const res = await memory('support-bot', 'GET', 'never-written');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'memory_not_found' });
  });
});
