import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComprehendPiiError, ComprehendPiiScanner } from './index.js';
import { chunkByUtf8Bytes, codePointToUtf16 } from './chunking.js';

interface Seen {
  target: string | undefined;
  contentType: string | undefined;
  body: { Text: string; LanguageCode: string };
}

const seen: Seen[] = [];
let reply: (body: Seen['body']) => { status: number; json: unknown } = () => ({ status: 200, json: { Entities: [] } });
let server: Server;
let endpoint: string;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const body = JSON.parse(raw) as Seen['body'];
      seen.push({ target: req.headers['x-amz-target'] as string | undefined, contentType: req.headers['content-type'], body });
      const { status, json } = reply(body);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function scanner(maxChunkBytes?: number): ComprehendPiiScanner {
  return new ComprehendPiiScanner({
    client: { endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' } },
    ...(maxChunkBytes === undefined ? {} : { maxChunkBytes }),
  });
}

describe('ComprehendPiiScanner', () => {
  it('sends DetectPiiEntities in JSON 1.1 and maps types and offsets', async () => {
    seen.length = 0;
    const text = '😀 Jane Doe, jane@example.com';
    // Comprehend counts code points: the emoji is 1 character but 2 UTF-16 units.
    reply = () => ({
      status: 200,
      json: {
        Entities: [
          { Type: 'NAME', Score: 0.99, BeginOffset: 2, EndOffset: 10 },
          { Type: 'EMAIL', Score: 0.98, BeginOffset: 12, EndOffset: 28 },
          { Type: 'ADDRESS', Score: 0.1, BeginOffset: 0, EndOffset: 1 },
        ],
      },
    });
    const entities = await scanner().scan(text);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.target).toBe('Comprehend_20171127.DetectPiiEntities');
    expect(seen[0]?.contentType).toBe('application/x-amz-json-1.1');
    expect(seen[0]?.body).toEqual({ Text: text, LanguageCode: 'en' });
    expect(entities.map((e) => [e.type, text.slice(e.start, e.end)])).toEqual([
      ['PERSON', 'Jane Doe'],
      ['EMAIL_ADDRESS', 'jane@example.com'],
    ]);
  });

  it('turns a throttling error into a clear ComprehendPiiError', async () => {
    reply = () => ({ status: 400, json: { __type: 'com.amazonaws.comprehend#ThrottlingException', message: 'Rate exceeded' } });
    const error = await scanner().scan('hello Jane').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComprehendPiiError);
    expect((error as ComprehendPiiError).code).toBe('ThrottlingException');
    expect((error as Error).message).toMatch(/DetectPiiEntities failed: ThrottlingException: Rate exceeded/);
  });

  it('splits long texts into chunks and shifts offsets by each chunk start', async () => {
    seen.length = 0;
    reply = (body) => {
      const at = body.Text.indexOf('Jane');
      return { status: 200, json: { Entities: at < 0 ? [] : [{ Type: 'NAME', Score: 0.9, BeginOffset: at, EndOffset: at + 4 }] } };
    };
    const text = `${'word '.repeat(30)}Jane ${'word '.repeat(30)}`;
    const entities = await scanner(64).scan(text);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((s) => Buffer.byteLength(s.body.Text) <= 64)).toBe(true);
    expect(entities.map((e) => text.slice(e.start, e.end))).toEqual(['Jane']);
  });

  it('returns [] for empty text without calling the service', async () => {
    seen.length = 0;
    expect(await scanner().scan('')).toEqual([]);
    expect(seen).toHaveLength(0);
  });
});

describe('chunking helpers', () => {
  it('never splits a surrogate pair and covers the whole text', () => {
    const text = '😀'.repeat(50) + ' abc';
    const chunks = chunkByUtf8Bytes(text, 10);
    expect(chunks.map((c) => c.text).join('')).toBe(text);
    for (const c of chunks) expect(Buffer.byteLength(c.text)).toBeLessThanOrEqual(10);
    for (const c of chunks) expect(text.slice(c.offset, c.offset + c.text.length)).toBe(c.text);
  });

  it('maps code points to UTF-16 indices', () => {
    const map = codePointToUtf16('a😀b');
    expect([map(0), map(1), map(2), map(3)]).toEqual([0, 1, 3, 4]);
  });
});
