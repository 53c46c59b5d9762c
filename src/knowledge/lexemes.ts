/**
 * Word normalisation for the knowledge base, and keyed lexemes for full-text search over
 * encrypted chunks.
 *
 * Chunk text is stored encrypted, yet retrieval is hybrid (vector + full text), so PostgreSQL
 * needs something to index. It gets keyed lexemes: every normalised, stemmed word replaced by a
 * truncated HMAC under a per-tenant key. Equal words still give equal tokens (so matching and
 * ts_rank frequencies work), but the index does not hold the words, and the same word under
 * another key gives an unrelated token. This is deterministic encryption in spirit: it hides
 * words, not word frequencies or repetition patterns — that trade-off is the price of ranking.
 *
 * The tokenizer lives here, and only here, because the local embedder must see exactly the
 * same words as the lexeme index: one notion of "the same word" for both halves of the search.
 */
import { createHmac } from 'node:crypto';
import { stemmer } from 'stemmer';

// Runs of letters and digits; everything else (punctuation, symbols, apostrophes) separates.
const WORD = /[\p{L}\p{N}]+/gu;
const COMBINING_MARK = /\p{M}/gu;

/** Overly long "words" are base64 blobs or hashes: cap them so one cannot cost unbounded work. */
const MAX_WORD_CHARS = 64;

/**
 * A small English stop list: words that appear in nearly every chunk add noise to ranking and,
 * as keyed tokens, would only leak document length. Kept short on purpose: negations such as
 * "not" and "no" stay, since they change meaning.
 */
const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'been', 'but', 'by', 'for', 'from', 'had', 'has',
  'have', 'he', 'her', 'his', 'i', 'if', 'in', 'into', 'is', 'it', 'its', 'me', 'my', 'of', 'on',
  'or', 'our', 'she', 'so', 'than', 'that', 'the', 'their', 'them', 'then', 'there', 'these',
  'they', 'this', 'those', 'to', 'us', 'was', 'we', 'were', 'what', 'when', 'which', 'who',
  'will', 'with', 'would', 'you', 'your',
]);

/**
 * The surface words of a text: NFKC (so full-width and ligature forms fold), lower case, and
 * diacritics stripped (so "Gehälter" and "Gehalter" meet). Stop words are kept here because
 * sub-word features of the embedder still want every word; `isStopWord` filters where needed.
 */
export function surfaceWords(text: string): string[] {
  const folded = text.normalize('NFKC').toLowerCase().normalize('NFD').replace(COMBINING_MARK, '');
  const words: string[] = [];
  for (const match of folded.matchAll(WORD)) {
    words.push(match[0].length > MAX_WORD_CHARS ? match[0].slice(0, MAX_WORD_CHARS) : match[0]);
  }
  return words;
}

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/** Porter stem of a surface word; words with digits are identifiers ("v2", "2024") and stay whole. */
export function stemWord(word: string): string {
  return /\d/.test(word) ? word : stemmer(word);
}

/** The index terms of a text: surface words without stop words, stemmed, in order, with repetition. */
export function indexTerms(text: string): string[] {
  const terms: string[] = [];
  for (const word of surfaceWords(text)) {
    if (!isStopWord(word)) terms.push(stemWord(word));
  }
  return terms;
}

// Lower-case RFC 4648 base32 alphabet: letters and digits only, which the 'simple' text-search
// parser keeps as a single lexeme.
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** 12 base32 characters: 60 bits, ample against accidental collisions within one tenant's vocabulary. */
const TOKEN_CHARS = 12;
const MIN_KEY_BYTES = 16;

function keyedToken(term: string, key: Buffer): string {
  const digest = createHmac('sha256', key).update(term, 'utf8').digest();
  // The first character is forced to a letter: a token starting with digits could be read by
  // PostgreSQL's parser as a number followed by a word ("2e7ab…" as a float) and split in two.
  let token = BASE32.charAt(digest[0]! % 26);
  let bits = 0;
  let value = 0;
  for (let i = 1; token.length < TOKEN_CHARS; i++) {
    value = (value << 8) | digest[i]!;
    bits += 8;
    while (bits >= 5 && token.length < TOKEN_CHARS) {
      bits -= 5;
      token += BASE32.charAt((value >>> bits) & 31);
    }
    value &= (1 << bits) - 1;
  }
  return token;
}

function checkKey(key: Buffer): void {
  if (key.length < MIN_KEY_BYTES) {
    throw new Error(`lexeme key must be at least ${MIN_KEY_BYTES} bytes, got ${key.length}`);
  }
}

/**
 * The keyed lexemes of a chunk, for `to_tsvector('simple', …)`: one token per index term,
 * space separated, in order and with repetition so ts_rank still sees term frequencies.
 */
export function keyedLexemes(text: string, key: Buffer): string {
  checkKey(key);
  return indexTerms(text).map((term) => keyedToken(term, key)).join(' ');
}

/**
 * The keyed terms of a search query, distinct, in query order; empty when only stop words remain
 * (the caller then skips full-text search).
 */
export function keyedTerms(query: string, key: Buffer): string[] {
  checkKey(key);
  return [...new Set(indexTerms(query).map((term) => keyedToken(term, key)))];
}

/** The keyed terms OR-ed together for `to_tsquery('simple', …)`, or '' when none remain. */
export function keyedQuery(query: string, key: Buffer): string {
  return keyedTerms(query, key).join(' | ');
}
