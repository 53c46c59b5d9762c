/**
 * A local embedder that needs no model download: feature hashing (the "hashing trick") of
 * three feature families into 256 signed buckets —
 *   - stemmed words (the same normalisation as the keyed full-text lexemes),
 *   - word bigrams (a little word order: "pay rise" is not "rise pay"),
 *   - character 3–5-grams of each word (so typos and unseen inflections still overlap).
 * Each family gets sublinear term frequency (1 + ln tf), is L2-normalised on its own and then
 * mixed with fixed weights, so a long chunk's thousands of character n-grams cannot drown out its
 * words. The result is L2-normalised, deterministic, and costs microseconds per chunk.
 *
 * What it is: a lexical and sub-word similarity measure, robust to inflection, case, diacritics
 * and typos. What it is not: semantic. "pay scale" does not come near "salary bands" unless the
 * texts share words or word pieces. That is why retrieval is hybrid with full-text ranking, and
 * why Titan and OpenAI-compatible embedders are offered for deployments that can call a model.
 */
import { EMBEDDING_DIMENSIONS, type Embedder, type EmbeddingPurpose } from './embedder.js';
import { isStopWord, stemWord, surfaceWords } from './lexemes.js';

const ID = 'local-hash-v1';

/** Family weights before the final normalisation; words carry most of the signal. */
const WORD_WEIGHT = 0.6;
const CHAR_WEIGHT = 0.3;
const BIGRAM_WEIGHT = 0.15;

const MIN_NGRAM = 3;
const MAX_NGRAM = 5;

// Distinct seeds keep the families apart: the word "ten" and the trigram "ten" land in
// unrelated buckets.
const WORD_SEED = 0x9e3779b9;
const BIGRAM_SEED = 0x85ebca6b;
const CHAR_SEED = 0xc2b2ae35;

/** FNV-1a over UTF-16 code units of `text[start, end)`, then murmur3's finaliser: FNV's low bits mix poorly. */
function hash32(text: string, start: number, end: number, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = start; i < end; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function count(features: Map<number, number>, feature: number): void {
  features.set(feature, (features.get(feature) ?? 0) + 1);
}

/**
 * Adds one family, normalised to unit length and scaled by `weight`, into `target`.
 * The top hash bit is the sign, so colliding features cancel out in expectation instead of piling up.
 */
function addFamily(target: Float64Array, features: Map<number, number>, weight: number): void {
  if (features.size === 0) return;
  const family = new Float64Array(EMBEDDING_DIMENSIONS);
  for (const [feature, tf] of features) {
    const value = 1 + Math.log(tf);
    family[feature % EMBEDDING_DIMENSIONS]! += feature >>> 31 ? -value : value;
  }
  let norm = 0;
  for (const value of family) norm += value * value;
  if (norm === 0) return;
  const scale = weight / Math.sqrt(norm);
  for (let i = 0; i < EMBEDDING_DIMENSIONS; i++) target[i]! += family[i]! * scale;
}

/**
 * The vector for a text without any features (empty, or stop words only). Not all zeros:
 * pgvector's cosine distance to a zero vector is NaN, which breaks ORDER BY. A constant unit
 * vector gives such texts one fixed, unremarkable similarity to everything instead.
 */
function featurelessVector(): Float32Array {
  return new Float32Array(EMBEDDING_DIMENSIONS).fill(1 / Math.sqrt(EMBEDDING_DIMENSIONS));
}

export function embedLocally(text: string): Float32Array {
  const words = new Map<number, number>();
  const bigrams = new Map<number, number>();
  const chars = new Map<number, number>();
  let previous: string | undefined;
  for (const surface of surfaceWords(text)) {
    if (isStopWord(surface)) continue;
    const term = stemWord(surface);
    count(words, hash32(term, 0, term.length, WORD_SEED));
    if (previous !== undefined) {
      const pair = `${previous} ${term}`;
      count(bigrams, hash32(pair, 0, pair.length, BIGRAM_SEED));
    }
    previous = term;
    // Boundary markers make prefixes and suffixes distinct features, as in fastText.
    const padded = `<${surface}>`;
    for (let n = MIN_NGRAM; n <= MAX_NGRAM; n++) {
      for (let start = 0; start + n <= padded.length; start++) {
        count(chars, hash32(padded, start, start + n, CHAR_SEED));
      }
    }
  }
  const vector = new Float64Array(EMBEDDING_DIMENSIONS);
  addFamily(vector, words, WORD_WEIGHT);
  addFamily(vector, bigrams, BIGRAM_WEIGHT);
  addFamily(vector, chars, CHAR_WEIGHT);
  let norm = 0;
  for (const value of vector) norm += value * value;
  if (norm === 0) return featurelessVector();
  const scale = 1 / Math.sqrt(norm);
  return Float32Array.from(vector, (value) => value * scale);
}

export function localEmbedder(): Embedder {
  return {
    id: ID,
    dimensions: EMBEDDING_DIMENSIONS,
    // Queries and documents share one space here: there is no model to ask for a query encoding.
    embed(texts: string[], _purpose: EmbeddingPurpose): Promise<Float32Array[]> {
      return Promise.resolve(texts.map(embedLocally));
    },
  };
}
