/**
 * Hashed features of canonical text for the injection model: character 3-, 4- and 5-grams (they
 * survive misspellings, inflection and languages without spaces) and word unigrams and bigrams
 * (they carry phrasing such as "your response"). Training and scanning share this one function,
 * so the buckets the weights were learned for are the buckets looked up at scan time.
 *
 * Every feature is reported with the index of the character it ends on. The scanner uses that to
 * build prefix sums, which score any line, sentence or window of a document in O(1).
 */

/** log2 of the number of hash buckets. */
export const HASH_BITS = 18;
export const BUCKETS = 1 << HASH_BITS;
const MASK = BUCKETS - 1;

// Exported for model.ts, whose scoring loop hashes exactly as extractFeatures does without
// writing the features down; an equivalence test holds the two together.
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;
// Distinct salts keep a 3-gram, a word and a bigram with equal raw hashes in different buckets.
export const SALT_3 = 0x9e3779b1;
export const SALT_4 = 0x85ebca77;
export const SALT_5 = 0xc2b2ae3d;
export const SALT_WORD = 0x27d4eb2f;
export const SALT_BIGRAM = 0x165667b1;

/** Receives one feature: its bucket and the index of the character it ends on. */
export type FeatureSink = (bucket: number, end: number) => void;

/**
 * The features of one text as parallel arrays, in order of their end position. The arrays are
 * shared scratch space, reused by the next call: scanning must not allocate per feature.
 */
export interface FeatureList {
  readonly buckets: Int32Array;
  readonly ends: Int32Array;
  readonly length: number;
}

/** At most three character n-grams, a word and a bigram end on any one character. */
const MAX_FEATURES_PER_CHAR = 5;
let scratchBuckets = new Int32Array(1 << 16);
let scratchEnds = new Int32Array(1 << 16);

export function finish(h: number, salt: number): number {
  let x = Math.imul(h ^ salt, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x & MASK;
}

export function isWordChar(c: number): boolean {
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a);
  // Letters of other scripts; general punctuation, CJK punctuation and full-width forms split words.
  return !(c >= 0x2000 && c <= 0x206f) && !(c >= 0x3000 && c <= 0x303f) && !(c >= 0xff00 && c <= 0xff0f) && c !== 0xa0;
}

/** Every feature of `text` in order of its end position. Line breaks read as spaces. */
export function extractFeatures(text: string): FeatureList {
  const n = text.length;
  const capacity = MAX_FEATURES_PER_CHAR * n + 2;
  if (scratchBuckets.length < capacity) {
    scratchBuckets = new Int32Array(capacity);
    scratchEnds = new Int32Array(capacity);
  }
  const buckets = scratchBuckets;
  const ends = scratchEnds;
  let k = 0;
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  let wordHash = FNV_OFFSET;
  let wordLength = 0;
  let previousWord = 0;
  let hasPreviousWord = false;
  for (let i = 0; i <= n; i++) {
    let c = i < n ? text.charCodeAt(i) : 0x20;
    if (c === 0x0a || c === 0x09) c = 0x20;
    if (i < n) {
      // Rolling window of the last five characters: c0 oldest … c (current).
      if (i >= 2) {
        let h = Math.imul(FNV_OFFSET ^ c2, FNV_PRIME);
        h = Math.imul(h ^ c3, FNV_PRIME);
        h = Math.imul(h ^ c, FNV_PRIME);
        buckets[k] = finish(h, SALT_3);
        ends[k++] = i;
        if (i >= 3) {
          let h4 = Math.imul(FNV_OFFSET ^ c1, FNV_PRIME);
          h4 = Math.imul(h4 ^ c2, FNV_PRIME);
          h4 = Math.imul(h4 ^ c3, FNV_PRIME);
          h4 = Math.imul(h4 ^ c, FNV_PRIME);
          buckets[k] = finish(h4, SALT_4);
          ends[k++] = i;
          if (i >= 4) {
            buckets[k] = finish(Math.imul(h4 ^ c0, FNV_PRIME), SALT_5);
            ends[k++] = i;
          }
        }
      }
      c0 = c1;
      c1 = c2;
      c2 = c3;
      c3 = c;
      if (isWordChar(c)) {
        wordHash = Math.imul(wordHash ^ c, FNV_PRIME);
        wordLength++;
        continue;
      }
    }
    if (wordLength > 0) {
      // The word ended on the previous character.
      buckets[k] = finish(wordHash, SALT_WORD);
      ends[k++] = i - 1;
      if (hasPreviousWord) {
        buckets[k] = finish(Math.imul(previousWord, 31) ^ wordHash, SALT_BIGRAM);
        ends[k++] = i - 1;
      }
      previousWord = wordHash;
      hasPreviousWord = true;
      wordHash = FNV_OFFSET;
      wordLength = 0;
    }
  }
  return { buckets, ends, length: k };
}

/** Emits every feature of `text` in order of its end position (see {@link extractFeatures}). */
export function forEachFeature(text: string, sink: FeatureSink): void {
  const { buckets, ends, length } = extractFeatures(text);
  for (let k = 0; k < length; k++) sink(buckets[k] ?? 0, ends[k] ?? 0);
}

/** The features of `text` as bucket → count, for training. */
export function featureCounts(text: string): Map<number, number> {
  const counts = new Map<number, number>();
  forEachFeature(text, (bucket) => counts.set(bucket, (counts.get(bucket) ?? 0) + 1));
  return counts;
}
