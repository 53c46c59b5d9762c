import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createH2cServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EMBEDDING_DIMENSIONS } from './embedder.js';
import { openAiCompatibleEmbedder, titanEmbedder } from './remote-embedders.js';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** What both HTTP/1.1 and HTTP/2 compatibility responses offer. */
type Response = Pick<ServerResponse | Http2ServerResponse, 'setHeader' | 'end'> & { statusCode: number };
type Handler = (request: Recorded, response: Response) => void;

const servers: { close(callback: () => void): unknown }[] = [];

/**
 * A local server that records requests and answers through `handler`. The Bedrock runtime
 * client talks HTTP/2 (cleartext with prior knowledge for an http:// endpoint), so Titan tests
 * need 'h2c'; the OpenAI-compatible client uses fetch over HTTP/1.1.
 */
async function serve(handler: Handler, protocol: 'http1' | 'h2c' = 'http1'): Promise<{ url: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const onRequest = (request: IncomingMessage | Http2ServerRequest, response: Response): void => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const raw = Buffer.concat(parts).toString('utf8');
      const recorded = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: raw ? JSON.parse(raw) : undefined };
      requests.push(recorded);
      handler(recorded, response);
    });
  };
  const server = protocol === 'h2c' ? createH2cServer(onRequest) : createServer(onRequest);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

const json = (response: Response, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  response.statusCode = status;
  for (const [name, value] of Object.entries({ 'content-type': 'application/json', ...headers })) response.setHeader(name, value);
  response.end(JSON.stringify(body));
};

/** A recognisable vector: every component encodes which text it belongs to. */
const vectorFor = (seed: number, dimensions = EMBEDDING_DIMENSIONS): number[] => Array.from({ length: dimensions }, (_, i) => seed + i / 1000);

const bedrockClient = (endpoint: string): BedrockRuntimeClient =>
  new BedrockRuntimeClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });

describe('titanEmbedder', () => {
  const modelId = 'amazon.titan-embed-text-v2:0';

  it('invokes the model once per text with a SigV4-signed Titan v2 request and keeps input order', async () => {
    let inFlight = 0;
    let peak = 0;
    const server = await serve((request, response) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      const { inputText } = request.body as { inputText: string };
      // Later texts answer sooner, so order must come from the embedder, not from timing.
      setTimeout(() => {
        inFlight--;
        json(response, 200, { embedding: vectorFor(Number(inputText.slice(5))), inputTextTokenCount: 2 });
      }, 40 - Number(inputText.slice(5)) * 3);
    }, 'h2c');
    const texts = Array.from({ length: 10 }, (_, i) => `text ${i}`);
    const vectors = await titanEmbedder({ modelId, client: bedrockClient(server.url) }).embed(texts, 'document');

    expect(vectors.map((vector) => Math.round(vector[0]!))).toEqual(texts.map((_, i) => i));
    expect(vectors[0]).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
    for (const request of server.requests) {
      expect(request.method).toBe('POST');
      expect(request.url).toBe(`/model/${encodeURIComponent(modelId)}/invoke`);
      expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/us-east-1\/bedrock\/aws4_request/);
      expect(request.body).toEqual({ inputText: expect.stringMatching(/^text \d$/), dimensions: 256, normalize: true });
    }
  });

  it('builds its own client from region and endpoint', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    const server = await serve((_request, response) => json(response, 200, { embedding: vectorFor(0), inputTextTokenCount: 1 }), 'h2c');
    const embedder = titanEmbedder({ region: 'eu-central-1', endpoint: server.url });
    expect(embedder.id).toBe(`titan:${modelId}`);
    await embedder.embed(['hello'], 'query');
    expect(server.requests[0]!.headers.authorization).toContain('/eu-central-1/bedrock/');
  });

  it('reports the service error with the model id', async () => {
    const server = await serve((_request, response) =>
      json(response, 500, { message: 'model is warming up' }, { 'x-amzn-errortype': 'InternalServerException' }),
    'h2c');
    const embedder = titanEmbedder({ modelId, client: bedrockClient(server.url) });
    await expect(embedder.embed(['hello'], 'document')).rejects.toThrow(/Titan embedder \(amazon\.titan-embed-text-v2:0\).*model is warming up/);
  });

  it('rejects an embedding of the wrong size', async () => {
    const server = await serve((_request, response) => json(response, 200, { embedding: vectorFor(0, 1024), inputTextTokenCount: 1 }), 'h2c');
    const embedder = titanEmbedder({ modelId, client: bedrockClient(server.url) });
    await expect(embedder.embed(['hello'], 'document')).rejects.toThrow(/1024-dimensional embedding.*exactly 256/);
  });
});

describe('openAiCompatibleEmbedder', () => {
  const respondWithVectors: Handler = (request, response) => {
    const { input } = request.body as { input: string[] };
    // Reverse order on purpose: clients must sort by index.
    const data = input.map((text, index) => ({ object: 'embedding', index, embedding: vectorFor(Number(text)) })).reverse();
    json(response, 200, { object: 'list', data, model: 'm', usage: { prompt_tokens: 1, total_tokens: 1 } });
  };

  it('posts batches of 64 to {baseUrl}/embeddings with the bearer key and returns vectors in input order', async () => {
    vi.stubEnv('EMBEDDINGS_KEY', 'sk-test');
    const server = await serve(respondWithVectors);
    const embedder = openAiCompatibleEmbedder({ baseUrl: `${server.url}/v1`, model: 'text-embedding-3-small', apiKeyEnv: 'EMBEDDINGS_KEY', dimensions: 256 });
    const texts = Array.from({ length: 130 }, (_, i) => String(i));
    const vectors = await embedder.embed(texts, 'document');

    expect(vectors.map((vector) => Math.round(vector[0]!))).toEqual(texts.map(Number));
    expect(server.requests.map((request) => (request.body as { input: string[] }).input.length)).toEqual([64, 64, 2]);
    for (const request of server.requests) {
      expect(request.url).toBe('/v1/embeddings');
      expect(request.headers.authorization).toBe('Bearer sk-test');
      expect(request.body).toMatchObject({ model: 'text-embedding-3-small', dimensions: 256 });
    }
    expect(embedder.id).toBe('openai-compatible:text-embedding-3-small');
  });

  it('sends no authorization header when the key variable is unset', async () => {
    const server = await serve(respondWithVectors);
    await openAiCompatibleEmbedder({ baseUrl: `${server.url}/v1/`, model: 'local', apiKeyEnv: 'UNSET_EMBEDDINGS_KEY' }).embed(['1'], 'query');
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
    expect(server.requests[0]!.url).toBe('/v1/embeddings');
  });

  it('makes no request for no texts', async () => {
    const server = await serve(respondWithVectors);
    expect(await openAiCompatibleEmbedder({ baseUrl: server.url, model: 'm' }).embed([], 'document')).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it('reports the status and the server error message on failure', async () => {
    const server = await serve((_request, response) => json(response, 500, { error: { message: 'model overloaded', type: 'server_error' } }));
    await expect(openAiCompatibleEmbedder({ baseUrl: `${server.url}/v1`, model: 'm' }).embed(['1'], 'document')).rejects.toThrow(
      /HTTP 500: model overloaded/,
    );
  });

  it('reports a non-JSON error body verbatim', async () => {
    const server = await serve((_request, response) => {
      response.statusCode = 502;
      response.setHeader('content-type', 'text/plain');
      response.end('Bad Gateway');
    });
    await expect(openAiCompatibleEmbedder({ baseUrl: server.url, model: 'm' }).embed(['1'], 'document')).rejects.toThrow(/HTTP 502: Bad Gateway/);
  });

  it('rejects embeddings of the wrong dimension', async () => {
    const server = await serve((_request, response) => json(response, 200, { data: [{ index: 0, embedding: vectorFor(0, 1536) }] }));
    await expect(openAiCompatibleEmbedder({ baseUrl: server.url, model: 'm' }).embed(['1'], 'document')).rejects.toThrow(
      /1536-dimensional embedding/,
    );
  });

  it('rejects a response with missing or duplicate indexes', async () => {
    const server = await serve((_request, response) =>
      json(response, 200, { data: [{ index: 0, embedding: vectorFor(0) }, { index: 0, embedding: vectorFor(1) }] }),
    );
    await expect(openAiCompatibleEmbedder({ baseUrl: server.url, model: 'm' }).embed(['1', '2'], 'document')).rejects.toThrow(/index/);
  });

  it('times out a server that does not answer', async () => {
    const server = await serve(() => {
      // Never answers.
    });
    const embedder = openAiCompatibleEmbedder({ baseUrl: server.url, model: 'm', timeoutMs: 100 });
    await expect(embedder.embed(['1'], 'document')).rejects.toThrow(/timed out after 100 ms/);
  });
});
