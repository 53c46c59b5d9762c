/**
 * Embedders backed by a model service: Amazon Titan Text Embeddings v2 on Bedrock, and any
 * server speaking the OpenAI `/embeddings` API (OpenAI, vLLM, Ollama, LiteLLM, …). Both are asked
 * for EMBEDDING_DIMENSIONS-dimensional output and every answer is checked, because a model that
 * silently returns another size would only fail later, inside the database.
 */
import { BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { EMBEDDING_DIMENSIONS, toEmbedding, type Embedder, type EmbeddingPurpose } from './embedder.js';

const TITAN_DEFAULT_MODEL = 'amazon.titan-embed-text-v2:0';
/** Titan takes one text per request; a few in flight keep ingestion fast without tripping throttling. */
const TITAN_CONCURRENCY = 4;
const OPENAI_BATCH_SIZE = 64;
const OPENAI_TIMEOUT_MS = 30_000;
const MAX_ERROR_DETAIL_CHARS = 300;

/** Maps `items` through `fn` with at most `limit` calls in flight, keeping input order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export interface TitanEmbedderOptions {
  modelId?: string;
  region?: string;
  /** Overrides the Bedrock endpoint, e.g. a VPC endpoint. */
  endpoint?: string;
  /** A preconfigured client; `region` and `endpoint` are then ignored. */
  client?: BedrockRuntimeClient;
}

export function titanEmbedder(options: TitanEmbedderOptions = {}): Embedder {
  const modelId = options.modelId ?? TITAN_DEFAULT_MODEL;
  const client =
    options.client ??
    new BedrockRuntimeClient({
      ...(options.region !== undefined ? { region: options.region } : {}),
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    });
  const source = `Titan embedder (${modelId})`;

  const embedOne = async (text: string): Promise<Float32Array> => {
    let raw: string;
    try {
      const output = await client.send(
        new InvokeModelCommand({
          modelId,
          contentType: 'application/json',
          accept: 'application/json',
          body: JSON.stringify({ inputText: text, dimensions: EMBEDDING_DIMENSIONS, normalize: true }),
        }),
      );
      raw = output.body.transformToString();
    } catch (error) {
      throw new Error(`${source} request failed: ${errorMessage(error)}`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new Error(`${source} returned a body that is not JSON`);
    }
    return toEmbedding((parsed as { embedding?: unknown } | null)?.embedding, source);
  };

  return {
    id: `titan:${modelId}`,
    dimensions: EMBEDDING_DIMENSIONS,
    // Titan v2 has no separate query encoding, so the purpose does not change the request.
    embed(texts: string[], _purpose: EmbeddingPurpose): Promise<Float32Array[]> {
      return mapBounded(texts, TITAN_CONCURRENCY, embedOne);
    },
  };
}

export interface OpenAiCompatibleEmbedderOptions {
  /** Up to and including the API version, e.g. 'https://api.openai.com/v1'. */
  baseUrl: string;
  model: string;
  /** Name of the environment variable holding the API key; the key itself never enters configuration. */
  apiKeyEnv?: string;
  /** Requested from the server; fixed because the database column is vector(256). */
  dimensions?: typeof EMBEDDING_DIMENSIONS;
  /** Per-request timeout; 30 s unless set. */
  timeoutMs?: number;
}

/** The most useful sentence a failed response offers: OpenAI-style `error.message`, else the body's start. */
function serverErrorDetail(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown } | null;
    const error = parsed?.error;
    if (typeof error === 'object' && typeof error.message === 'string') return error.message;
    if (typeof error === 'string') return error;
    if (typeof parsed?.message === 'string') return parsed.message;
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return body.slice(0, MAX_ERROR_DETAIL_CHARS).trim() || '(empty body)';
}

function parseEmbeddingsResponse(value: unknown, expected: number, source: string): Float32Array[] {
  const data = (value as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length !== expected) {
    throw new Error(`${source} returned ${Array.isArray(data) ? data.length : 'no'} embeddings for ${expected} inputs`);
  }
  const vectors = new Array<Float32Array | undefined>(expected);
  for (const item of data as { index?: unknown; embedding?: unknown }[]) {
    const index = item.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= expected || vectors[index]) {
      throw new Error(`${source} returned an embedding with a missing, duplicate or out-of-range index`);
    }
    vectors[index] = toEmbedding(item.embedding, source);
  }
  // Every slot is filled: `expected` distinct in-range indexes were checked above.
  return vectors as Float32Array[];
}

export function openAiCompatibleEmbedder(options: OpenAiCompatibleEmbedderOptions): Embedder {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/embeddings`;
  const dimensions = options.dimensions ?? EMBEDDING_DIMENSIONS;
  const timeoutMs = options.timeoutMs ?? OPENAI_TIMEOUT_MS;
  const source = `embedder ${options.model} at ${url}`;

  const embedBatch = async (input: string[]): Promise<Float32Array[]> => {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    // Read per request, so a rotated key is picked up without a restart.
    const apiKey = options.apiKeyEnv !== undefined ? process.env[options.apiKeyEnv] : undefined;
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    let response: Response;
    let body: string;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: options.model, input, dimensions }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      body = await response.text();
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : errorMessage(error);
      throw new Error(`${source}: request failed: ${reason}`, { cause: error });
    }
    if (!response.ok) {
      throw new Error(`${source}: HTTP ${response.status}: ${serverErrorDetail(body)}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new Error(`${source}: response is not JSON`);
    }
    return parseEmbeddingsResponse(parsed, input.length, source);
  };

  return {
    id: `openai-compatible:${options.model}`,
    dimensions: EMBEDDING_DIMENSIONS,
    // The OpenAI API has no query/document distinction; models that need one take it as a prefix.
    async embed(texts: string[], _purpose: EmbeddingPurpose): Promise<Float32Array[]> {
      const vectors: Float32Array[] = [];
      // Sequential batches: a bulk ingestion should not hammer a shared or self-hosted server.
      for (let start = 0; start < texts.length; start += OPENAI_BATCH_SIZE) {
        vectors.push(...(await embedBatch(texts.slice(start, start + OPENAI_BATCH_SIZE))));
      }
      return vectors;
    },
  };
}
