/**
 * The learned part of the injection scanner: two logistic regressions over hashed n-grams
 * (features.ts), one for what users type (direct) and one for pieces of documents and tool
 * outputs (indirect), plus the calibration that turns their margins into probabilities.
 *
 * A text's margin is `bias + scale · Σ w[bucket] / √N` over its N features (counts, not presence),
 * so the margin of any slice of a text follows from prefix sums of per-feature weights.
 */
import { BUCKETS, extractFeatures } from './features.js';
import { units, windows } from './segments.js';

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
  /** p = σ(a·max window margin + c·whole-text margin + b) for the indirect model. */
  indirectCalibration: readonly [a: number, c: number, b: number];
}

/** The serialized form a training run writes into weights.generated.ts. */
export interface SerializedModel {
  hashBits: number;
  direct: { bias: number; scale: number; weights: string };
  indirect: { bias: number; scale: number; weights: string };
  directCalibration: readonly [number, number];
  indirectCalibration: readonly [number, number, number];
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

let scratchWords = new Uint32Array(1 << 16);

/**
 * Fills `out[i]` with the number of word tokens — blank-separated runs that contain a letter —
 * that end before character i, for i in 0..n. Returns the total.
 */
function wordPrefix(text: string, out: Uint32Array | undefined): number {
  const n = text.length;
  let words = 0;
  let letter = false;
  let spaceless = 0;
  if (out !== undefined) out[0] = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x20) {
      if (c >= 0x61 || (c >= 0x41 && c <= 0x5a)) {
        if (isSpacelessScript(c)) spaceless++;
        else if (!letter && isLetter(c)) letter = true;
      }
      if (i + 1 === n || text.charCodeAt(i + 1) <= 0x20) {
        words += Math.max(letter ? 1 : 0, spaceless >> 1);
        letter = false;
        spaceless = 0;
      }
    }
    if (out !== undefined) out[i + 1] = words;
  }
  return words;
}

/** Word tokens in `text`: see {@link MIN_WORDS}. */
export function wordCount(text: string): number {
  return wordPrefix(text, undefined);
}

/** Margin of a whole text under one model. */
export function textMargin(text: string, model: LinearModel): number {
  const w = model.weights;
  const { buckets, length } = extractFeatures(text);
  let sum = 0;
  for (let k = 0; k < length; k++) sum += w[buckets[k] ?? 0] ?? 0;
  return length === 0 ? model.bias : model.bias + (model.scale * sum) / Math.sqrt(length);
}

/** The indirect model's view of a document: its best window and the document as a whole. */
export interface DocumentMargins {
  maxWindow: number;
  whole: number;
  /** Word tokens in the whole document (see {@link MIN_WORDS}). */
  words: number;
}

let scratchSums = new Float64Array(1 << 16);
let scratchCounts = new Uint32Array(1 << 16);

/**
 * Margins of every line/sentence window of `text` and of all of it, in one pass over its
 * features. Windows with fewer than MIN_WORDS word tokens are not scored: a line holding an id or
 * an address says nothing the model can judge.
 */
export function documentMargins(text: string, model: LinearModel): DocumentMargins {
  const n = text.length;
  const w = model.weights;
  if (scratchSums.length < n + 1) {
    scratchSums = new Float64Array(n + 1);
    scratchCounts = new Uint32Array(n + 1);
    scratchWords = new Uint32Array(n + 1);
  }
  // sums[i] / counts[i]: weight sum and number of features ending before character i.
  const sums = scratchSums;
  const counts = scratchCounts;
  const words = scratchWords;
  const { buckets, ends, length } = extractFeatures(text);
  let sum = 0;
  let filled = 0;
  for (let k = 0; k < length; k++) {
    const end = ends[k] ?? 0;
    while (filled <= end) {
      sums[filled] = sum;
      counts[filled] = k;
      filled++;
    }
    sum += w[buckets[k] ?? 0] ?? 0;
  }
  while (filled <= n) {
    sums[filled] = sum;
    counts[filled] = length;
    filled++;
  }
  const totalWords = wordPrefix(text, words);
  const margin = (s: number, c: number): number => model.bias + (model.scale * s) / Math.sqrt(c);
  const whole = length < MIN_FEATURES || totalWords < MIN_WORDS ? model.bias : margin(sum, length);
  let maxWindow = whole;
  for (const [start, end] of windows(units(text))) {
    const c = (counts[end] ?? 0) - (counts[start] ?? 0);
    if (c < MIN_FEATURES || (words[end] ?? 0) - (words[start] ?? 0) < MIN_WORDS) continue;
    const m = margin((sums[end] ?? 0) - (sums[start] ?? 0), c);
    if (m > maxWindow) maxWindow = m;
  }
  return { maxWindow, whole, words: totalWords };
}
