/**
 * The learned part of the injection scanner: two logistic regressions over hashed n-grams
 * (features.ts), one for what users type (direct) and one for pieces of documents and tool
 * outputs (indirect), plus the calibration that turns their margins into probabilities.
 *
 * A text's margin is `bias + scale · Σ w[bucket] / √N` over its N features (counts, not presence),
 * so the margin of any slice of a text follows from prefix sums of per-feature weights.
 */
import { BUCKETS, finish, FNV_OFFSET, FNV_PRIME, isWordChar, SALT_3, SALT_4, SALT_5, SALT_BIGRAM, SALT_WORD } from './features.js';
import { MAX_UNITS_PER_WINDOW, MAX_WINDOW, unitBounds } from './segments.js';

/** One linear model: int8 weights times a scale. */
export interface LinearModel {
  bias: number;
  scale: number;
  weights: Int8Array;
}

/** Everything the scanner needs from training. */
export interface InjectionModel {
  direct: LinearModel;
  indirect: LinearModel;
  /** p = σ(a·margin + b) for the direct model. */
  directCalibration: readonly [a: number, b: number];
  /** p = σ(a·max window margin + c·whole-text margin + d·typical unit margin + b) for the indirect model ({@link documentMargins}). */
  indirectCalibration: readonly [a: number, c: number, d: number, b: number];
}

/** The serialized form a training run writes into weights.generated.ts. */
export interface SerializedModel {
  hashBits: number;
  direct: { bias: number; scale: number; weights: string };
  indirect: { bias: number; scale: number; weights: string };
  directCalibration: readonly [number, number];
  indirectCalibration: readonly [number, number, number, number];
}

export function deserializeModel(serialized: SerializedModel): InjectionModel {
  const linear = (m: SerializedModel['direct']): LinearModel => {
    const bytes = Buffer.from(m.weights, 'base64');
    if (bytes.length !== BUCKETS) throw new Error(`injection model has ${bytes.length} weights, expected ${BUCKETS}`);
    return { bias: m.bias, scale: m.scale, weights: new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length) };
  };
  return {
    direct: linear(serialized.direct),
    indirect: linear(serialized.indirect),
    directCalibration: serialized.directCalibration,
    indirectCalibration: serialized.indirectCalibration,
  };
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Features needed before a slice's margin means anything; shorter slices score the bias. */
const MIN_FEATURES = 12;

/**
 * Word tokens a text (or a window of one) needs before the model's margin is used. Identifiers,
 * e-mail addresses, paths, amounts and short labels are one or two tokens; an instruction to a
 * model takes a few words. Below this only the rules decide.
 */
export const MIN_WORDS = 3;

/** CJK ideographs, kana and Hangul: scripts written without spaces, where two characters make about one word. */
function isSpacelessScript(c: number): boolean {
  return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff);
}

function isLetter(c: number): boolean {
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
  return c >= 0xc0 && !(c >= 0x2000 && c <= 0x2bff) && !(c >= 0x3000 && c <= 0x303f) && !(c >= 0xff00 && c <= 0xff0f);
}

/** Totals of one text: weight sum and number of its features, and its word tokens. */
interface Weighed {
  sum: number;
  count: number;
  words: number;
}

const NO_MARKS = new Int32Array(0);
const NO_SUMS = new Float64Array(0);

/**
 * The features of `text` (exactly those extractFeatures lists, hashed the same way) summed under
 * `weights` as they are hashed, together with its word tokens (see {@link MIN_WORDS}), in one pass
 * and without writing a feature down. For each position marks[j] (ascending), it records in
 * sums[j] / counts[j] the weight sum and number of the features listed before the first one that
 * ends at or after that position, and in words[j] the word tokens that end before it: the prefix
 * sums the windows of a document are scored from, kept only where a window starts or ends.
 */
function weigh(
  text: string,
  weights: Int8Array,
  marks: Int32Array,
  markCount: number,
  sums: Float64Array,
  counts: Int32Array,
  words: Int32Array,
): Weighed {
  const n = text.length;
  let sum = 0;
  let count = 0;
  // Next mark to fill with the feature prefix, and with the word prefix.
  let m = 0;
  let nextMark = markCount > 0 ? (marks[0] ?? 0) : n + 1;
  let wm = 0;
  let nextWordMark = nextMark;
  let wordTotal = 0;
  let inToken = false;
  let letter = false;
  let spaceless = 0;
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  let previousPair = 0;
  let wordHash = FNV_OFFSET;
  let wordLength = 0;
  let previousWord = 0;
  let hasPreviousWord = false;
  for (let i = 0; i <= n; i++) {
    const raw = i < n ? text.charCodeAt(i) : 0x20;
    // Word tokens: blank-separated runs holding a letter, counted at the blank after them.
    if (raw <= 0x20) {
      if (inToken) {
        wordTotal += Math.max(letter ? 1 : 0, spaceless >> 1);
        inToken = false;
        letter = false;
        spaceless = 0;
      }
    } else {
      inToken = true;
      if (raw >= 0x80) {
        if (isSpacelessScript(raw)) spaceless++;
        else if (!letter && isLetter(raw)) letter = true;
      } else if (!letter && ((raw >= 0x61 && raw <= 0x7a) || (raw >= 0x41 && raw <= 0x5a))) {
        letter = true;
      }
    }
    if (i >= nextWordMark) {
      while (wm < markCount && (marks[wm] ?? 0) <= i) words[wm++] = wordTotal;
      nextWordMark = wm < markCount ? (marks[wm] ?? 0) : n + 1;
    }
    // Features, as in extractFeatures: n-grams ending at i, then the word that ended at i - 1.
    const c = raw === 0x0a || raw === 0x09 ? 0x20 : raw;
    if (i < n) {
      if (i >= 2) {
        if (i >= nextMark) {
          while (m < markCount && (marks[m] ?? 0) <= i) {
            sums[m] = sum;
            counts[m++] = count;
          }
          nextMark = m < markCount ? (marks[m] ?? 0) : n + 1;
        }
        // FNV of the two characters before this one: the 3-gram's prefix now, the 4-gram's next time.
        const pair = Math.imul(Math.imul(FNV_OFFSET ^ c2, FNV_PRIME) ^ c3, FNV_PRIME);
        sum += weights[finish(Math.imul(pair ^ c, FNV_PRIME), SALT_3)] ?? 0;
        count++;
        if (i >= 3) {
          const h4 = Math.imul(Math.imul(previousPair ^ c3, FNV_PRIME) ^ c, FNV_PRIME);
          sum += weights[finish(h4, SALT_4)] ?? 0;
          count++;
          if (i >= 4) {
            sum += weights[finish(Math.imul(h4 ^ c0, FNV_PRIME), SALT_5)] ?? 0;
            count++;
          }
        }
        previousPair = pair;
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
      if (i - 1 >= nextMark) {
        while (m < markCount && (marks[m] ?? 0) <= i - 1) {
          sums[m] = sum;
          counts[m++] = count;
        }
        nextMark = m < markCount ? (marks[m] ?? 0) : n + 1;
      }
      sum += weights[finish(wordHash, SALT_WORD)] ?? 0;
      count++;
      if (hasPreviousWord) {
        sum += weights[finish(Math.imul(previousWord, 31) ^ wordHash, SALT_BIGRAM)] ?? 0;
        count++;
      }
      previousWord = wordHash;
      hasPreviousWord = true;
      wordHash = FNV_OFFSET;
      wordLength = 0;
    }
    // Every feature is in: the marks left (all at most n) get the totals. Inside the loop rather
    // than after it, so that the optimised loop has no exit path without type feedback.
    if (i === n) {
      while (m < markCount) {
        sums[m] = sum;
        counts[m++] = count;
      }
    }
  }
  return { sum, count, words: wordTotal };
}

const NO_COUNTS = new Int32Array(0);

/** Word tokens in `text`: see {@link MIN_WORDS}. */
export function wordCount(text: string): number {
  return weigh(text, ZERO_WEIGHTS, NO_MARKS, 0, NO_SUMS, NO_COUNTS, NO_COUNTS).words;
}

const ZERO_WEIGHTS = new Int8Array(BUCKETS);

/** Margin of a whole text under one model. */
export function textMargin(text: string, model: LinearModel): number {
  return directMargin(text, model).margin;
}

/** A text's margin under a model scoring it whole, and its word tokens, in one pass. */
export function directMargin(text: string, model: LinearModel): { margin: number; words: number } {
  const { sum, count, words } = weigh(text, model.weights, NO_MARKS, 0, NO_SUMS, NO_COUNTS, NO_COUNTS);
  return { margin: count === 0 ? model.bias : model.bias + (model.scale * sum) / Math.sqrt(count), words };
}

/** The indirect model's view of a document: its best window and the document as a whole. */
export interface DocumentMargins {
  maxWindow: number;
  whole: number;
  /**
   * The document's typical unit: the median margin of its scored single-unit windows (`whole` when
   * none is scored). Set against the best window, it tells one planted instruction apart from a
   * document every line of which addresses its reader.
   */
  typical: number;
  /** Word tokens in the whole document (see {@link MIN_WORDS}). */
  words: number;
}

let scratchUnitMargins = new Float64Array(1 << 12);
let scratchMarks = new Int32Array(1 << 12);
let scratchSums = new Float64Array(1 << 12);
let scratchCounts = new Int32Array(1 << 12);
let scratchWords = new Int32Array(1 << 12);
let scratchMarkOf = new Int32Array(1 << 12);

/**
 * Margins of every line/sentence window of `text` and of all of it, in one pass over its
 * features. Windows with fewer than MIN_WORDS word tokens are not scored: a line holding an id or
 * an address says nothing the model can judge.
 */
export function documentMargins(text: string, model: LinearModel): DocumentMargins {
  const n = text.length;
  const { bounds, count: unitCount } = unitBounds(text);
  const markCount = 2 * unitCount;
  if (scratchMarks.length < markCount) {
    scratchMarks = new Int32Array(markCount);
    scratchSums = new Float64Array(markCount);
    scratchCounts = new Int32Array(markCount);
    scratchWords = new Int32Array(markCount);
  }
  // Window edges are unit edges: prefix sums are only needed there, in ascending order. Units
  // come in order, so their edges already are, unless an overlong unit was cut into overlapping
  // chunks: then the edges are sorted and each unit edge looked up among them.
  let sorted = true;
  for (let j = 1; j < markCount && sorted; j++) sorted = (bounds[j - 1] ?? 0) <= (bounds[j] ?? 0);
  let marks = bounds;
  let markOf: Int32Array | undefined;
  if (!sorted) {
    if (scratchMarkOf.length < n + 1) scratchMarkOf = new Int32Array(n + 1);
    marks = scratchMarks.subarray(0, markCount);
    marks.set(bounds.subarray(0, markCount));
    marks.sort();
    markOf = scratchMarkOf;
    for (let j = 0; j < markCount; j++) markOf[marks[j] ?? 0] = j;
  }
  const sums = scratchSums;
  const counts = scratchCounts;
  const words = scratchWords;
  const total = weigh(text, model.weights, marks, markCount, sums, counts, words);
  const margin = (s: number, c: number): number => model.bias + (model.scale * s) / Math.sqrt(c);
  const whole = total.count < MIN_FEATURES || total.words < MIN_WORDS ? model.bias : margin(total.sum, total.count);
  let maxWindow = whole;
  if (scratchUnitMargins.length < unitCount) scratchUnitMargins = new Float64Array(unitCount);
  let scoredUnits = 0;
  // The windows of segments.ts: 1..MAX_UNITS_PER_WINDOW consecutive units within MAX_WINDOW characters.
  for (let u = 0; u < unitCount; u++) {
    const firstStart = bounds[2 * u] ?? 0;
    const start = markOf === undefined ? 2 * u : (markOf[firstStart] ?? 0);
    for (let k = 0; k < MAX_UNITS_PER_WINDOW && u + k < unitCount; k++) {
      const lastEnd = bounds[2 * (u + k) + 1] ?? 0;
      if (lastEnd - firstStart > MAX_WINDOW) break;
      const end = markOf === undefined ? 2 * (u + k) + 1 : (markOf[lastEnd] ?? 0);
      const c = (counts[end] ?? 0) - (counts[start] ?? 0);
      if (c < MIN_FEATURES || (words[end] ?? 0) - (words[start] ?? 0) < MIN_WORDS) continue;
      const m = margin((sums[end] ?? 0) - (sums[start] ?? 0), c);
      if (m > maxWindow) maxWindow = m;
      if (k === 0) scratchUnitMargins[scoredUnits++] = m;
    }
  }
  return { maxWindow, whole, typical: median(scratchUnitMargins.subarray(0, scoredUnits), whole), words: total.words };
}

/** Median of `values` (sorted in place); `empty` when there are none. */
function median(values: Float64Array, empty: number): number {
  const n = values.length;
  if (n === 0) return empty;
  values.sort();
  const mid = n >> 1;
  return n % 2 === 1 ? (values[mid] ?? empty) : ((values[mid - 1] ?? empty) + (values[mid] ?? empty)) / 2;
}
