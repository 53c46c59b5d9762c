import {
  ComprehendClient,
  DetectPiiEntitiesCommand,
  type ComprehendClientConfig,
  type LanguageCode,
} from '@aws-sdk/client-comprehend';
import type { AsyncPiiScanner, PiiEntity } from '../types.js';
import { chunkByUtf8Bytes, codePointToUtf16 } from './chunking.js';

/** Comprehend type → Warden (Presidio) name; types without a Presidio counterpart keep Comprehend's. */
export const COMPREHEND_TYPE_MAP: Readonly<Record<string, string>> = {
  EMAIL: 'EMAIL_ADDRESS',
  PHONE: 'PHONE_NUMBER',
  CREDIT_DEBIT_NUMBER: 'CREDIT_CARD',
  NAME: 'PERSON',
  ADDRESS: 'STREET_ADDRESS',
  SSN: 'US_SSN',
  IP_ADDRESS: 'IP_ADDRESS',
  AWS_ACCESS_KEY: 'AWS_ACCESS_KEY',
  AWS_SECRET_KEY: 'AWS_SECRET_KEY',
  PASSPORT_NUMBER: 'PASSPORT_NUMBER',
  DRIVER_ID: 'US_DRIVER_LICENSE',
  BANK_ACCOUNT_NUMBER: 'US_BANK_NUMBER',
  INTERNATIONAL_BANK_ACCOUNT_NUMBER: 'IBAN_CODE',
  DATE_TIME: 'DATE_TIME',
  URL: 'URL',
  US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER: 'US_ITIN',
  UK_NATIONAL_INSURANCE_NUMBER: 'UK_NINO',
  UK_NATIONAL_HEALTH_SERVICE_NUMBER: 'UK_NHS',
  IN_AADHAAR: 'IN_AADHAAR',
  IN_PERMANENT_ACCOUNT_NUMBER: 'IN_PAN',
  PASSWORD: 'SECRET',
};

/** Comprehend's DetectPiiEntities limit is 100 KB of UTF-8; we stay a little under it. */
export const COMPREHEND_MAX_BYTES = 100_000;
const DEFAULT_CHUNK_BYTES = 99_000;

export interface ComprehendPiiScannerOptions {
  /** A ready client, or options to build one (region, endpoint, credentials, maxAttempts...). */
  client?: ComprehendClient | ComprehendClientConfig;
  languageCode?: LanguageCode;
  /** Entities scoring below this are dropped (default 0.5). */
  minScore?: number;
  /** Chunk size in UTF-8 bytes (default 99,000; must not exceed 100,000). */
  maxChunkBytes?: number;
}

export class ComprehendPiiError extends Error {
  override readonly name = 'ComprehendPiiError';
  /** The service's error name (ThrottlingException, TextSizeLimitExceededException, ...). */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * PII via AWS Comprehend DetectPiiEntities. Comprehend reports offsets in Unicode code points
 * (characters), while Warden's are UTF-16 indices: each chunk's code-point offsets are mapped
 * through a per-chunk table (identity when the chunk has no astral characters), then shifted by
 * the chunk's UTF-16 start. Texts over the size limit are sent in chunks cut at whitespace.
 */
export class ComprehendPiiScanner implements AsyncPiiScanner {
  readonly #client: ComprehendClient;
  readonly #languageCode: LanguageCode;
  readonly #minScore: number;
  readonly #maxChunkBytes: number;

  constructor(options: ComprehendPiiScannerOptions = {}) {
    const client = options.client;
    this.#client = client instanceof ComprehendClient ? client : new ComprehendClient(client ?? {});
    this.#languageCode = options.languageCode ?? 'en';
    this.#minScore = options.minScore ?? 0.5;
    this.#maxChunkBytes = Math.min(options.maxChunkBytes ?? DEFAULT_CHUNK_BYTES, COMPREHEND_MAX_BYTES);
  }

  async scan(text: string): Promise<PiiEntity[]> {
    if (text.length === 0) return [];
    const entities: PiiEntity[] = [];
    // Sequential on purpose: parallel chunks of one huge text would hit the account's TPS limit.
    for (const chunk of chunkByUtf8Bytes(text, this.#maxChunkBytes)) {
      if (chunk.text.trim().length === 0) continue;
      entities.push(...(await this.#scanChunk(chunk.text, chunk.offset)));
    }
    return entities;
  }

  async #scanChunk(text: string, offset: number): Promise<PiiEntity[]> {
    let response;
    try {
      response = await this.#client.send(new DetectPiiEntitiesCommand({ Text: text, LanguageCode: this.#languageCode }));
    } catch (error) {
      const code = error instanceof Error ? error.name : 'UnknownError';
      const detail = error instanceof Error ? error.message : String(error);
      throw new ComprehendPiiError(code, `Comprehend DetectPiiEntities failed: ${code}: ${detail}`, { cause: error });
    }
    const toUnits = codePointToUtf16(text);
    const out: PiiEntity[] = [];
    for (const e of response.Entities ?? []) {
      if (e.Type === undefined || e.BeginOffset === undefined || e.EndOffset === undefined) continue;
      const score = e.Score ?? 0;
      if (score < this.#minScore) continue;
      out.push({
        type: COMPREHEND_TYPE_MAP[e.Type] ?? e.Type,
        start: offset + toUnits(e.BeginOffset),
        end: offset + toUnits(e.EndOffset),
        score,
        recognizer: `comprehend.${e.Type}`,
      });
    }
    return out;
  }
}
