/**
 * The embedding port. The knowledge-base schema stores vectors in a fixed `vector(256)` column,
 * so every embedder — local or remote — must produce exactly that many dimensions; a mismatch
 * is caught here, at the boundary, rather than as an opaque database error mid-ingestion.
 */

export const EMBEDDING_DIMENSIONS = 256;

/** Why a text is embedded: some models embed queries and documents differently. */
export type EmbeddingPurpose = 'document' | 'query';

export interface Embedder {
  /** Identifies the model and its configuration; vectors from different ids are not comparable. */
  readonly id: string;
  readonly dimensions: number;
  /** One vector per input text, in input order. */
  embed(texts: string[], purpose: EmbeddingPurpose): Promise<Float32Array[]>;
}

/** Throws unless `vector` has exactly EMBEDDING_DIMENSIONS finite components. */
export function checkDimensions(vector: ArrayLike<number>, source: string): void {
  if (vector.length !== EMBEDDING_DIMENSIONS) {
    throw new Error(
      `${source} returned a ${vector.length}-dimensional embedding; the knowledge base needs exactly ${EMBEDDING_DIMENSIONS}`,
    );
  }
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i])) {
      throw new Error(`${source} returned an embedding with a non-finite component at index ${i}`);
    }
  }
}

/** Validates a decoded JSON embedding and converts it to the storage type. */
export function toEmbedding(value: unknown, source: string): Float32Array {
  if (!Array.isArray(value) || !value.every((component) => typeof component === 'number')) {
    throw new Error(`${source} returned an embedding that is not an array of numbers`);
  }
  checkDimensions(value, source);
  return Float32Array.from(value);
}
